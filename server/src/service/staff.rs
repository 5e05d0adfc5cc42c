//! Staff of the console: accounts, sign-in with lockout, sessions.

use civique_api::staff::{limits, Role, SiteRole, StaffMember, WaitingProposal};
use civique_api::{
    AuditAction, AuditEntry, BoxView, CommentInput, ModerationInput, ProposalModeration,
    ProposalView, StatusInput,
};
use time::{Duration, OffsetDateTime};

use super::{found, random_bytes, random_hex, Result, Service};
use crate::domain::audit::Actor;
use crate::domain::comment::Thread;
use crate::domain::moderation::Waiting;
use crate::domain::staff::{self, Account, NewAccount, Problem};
use crate::domain::time::{format_time, now_text};
use crate::domain::Error as Refusal;

/// An open console session: the cookie's token (the endpoint keeps only its hash), the
/// token every form sends back (CSRF), and who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub token: String,
    pub csrf: String,
    pub member: StaffMember,
}

/// An account to create (see [`Service::create_staff`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffInput {
    pub login: String,
    pub name: String,
    pub password: String,
    pub endpoint_admin: bool,
    pub roles: Vec<SiteRole>,
}

/// A staff member's name as kept: trimmed, 1 to [`limits::NAME_MAX_LEN`] characters.
pub(super) fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > limits::NAME_MAX_LEN {
        return Err(Refusal::InvalidInput(format!(
            "a name has 1 to {} characters",
            limits::NAME_MAX_LEN
        ))
        .into());
    }
    Ok(name.to_owned())
}

/// The argon2id hash of a new password, once it is long enough.
pub(super) async fn new_password_hash(password: String) -> Result<String> {
    staff::check_password(&password).map_err(Refusal::InvalidInput)?;
    let salt: [u8; 16] = random_bytes()?;
    Ok(off_thread(move || staff::hash_password(&password, &salt))
        .await
        .map_err(Refusal::InvalidInput)?)
}

/// Runs argon2 (tens of milliseconds of CPU) off the request threads.
async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => done,
        Err(panicked) => std::panic::resume_unwind(panicked.into_panic()),
    }
}

impl Service {
    /// Creates a staff account (`civique-server user create`; later the console's
    /// invitations). The password is kept as an argon2id hash only.
    pub async fn create_staff(&self, input: StaffInput) -> Result<i64> {
        let login = staff::normalize_login(&input.login).map_err(Refusal::InvalidInput)?;
        let name = checked_name(&input.name)?;
        for role in &input.roles {
            if !self.store.site_exists(&role.site_id).await? {
                return Err(Refusal::NotFound("site").into());
            }
        }
        let password_hash = new_password_hash(input.password).await?;
        Ok(self
            .store
            .create_account(&NewAccount {
                login,
                name,
                password_hash,
                endpoint_admin: input.endpoint_admin,
                roles: input.roles,
            })
            .await?)
    }

    /// Signs a staff member in: a new session, or why not. Wrong credentials from one
    /// network are rate-limited like wrong admin tokens; [`limits::FAILURES_BEFORE_LOCKOUT`]
    /// wrong passwords in a row lock the account for [`limits::LOCKOUT_MINUTES`].
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        network: Option<&str>,
    ) -> Result<SignedIn> {
        let account = match staff::normalize_login(login) {
            Ok(login) => self.store.account_by_login(&login).await?,
            Err(_) => None,
        };
        let account = self.password_of(account, password, network).await?;
        let token = random_hex::<32>()?;
        let csrf = random_hex::<32>()?;
        let expires = OffsetDateTime::now_utc() + Duration::hours(limits::SESSION_HOURS.into());
        self.store
            .open_session(
                account.id,
                &staff::session_key(&token),
                &csrf,
                &format_time(expires),
            )
            .await?;
        let (member, _) = self
            .store
            .session(&staff::session_key(&token), &now_text())
            .await?
            .ok_or(Refusal::SignIn(Problem::Wrong))?;
        Ok(SignedIn {
            token,
            csrf,
            member,
        })
    }

    /// `account` once `password` is its own, or why not: the same refusal for an unknown
    /// account. Wrong passwords from one network are rate-limited like wrong admin tokens;
    /// [`limits::FAILURES_BEFORE_LOCKOUT`] in a row lock the account for
    /// [`limits::LOCKOUT_MINUTES`]. A disabled account is refused even with its password.
    pub(super) async fn password_of(
        &self,
        account: Option<Account>,
        password: &str,
        network: Option<&str>,
    ) -> Result<Account> {
        self.admin_attempt_allowed(network).await?;
        let hash = account
            .as_ref()
            .map_or(staff::DECOY_HASH, |a| &a.password_hash)
            .to_owned();
        let typed = password.to_owned();
        let right = off_thread(move || staff::verify_password(&hash, &typed)).await;
        let now = now_text();
        let account = match account {
            Some(account)
                if account
                    .locked_until
                    .as_ref()
                    .is_some_and(|until| *until > now) =>
            {
                return Err(Refusal::SignIn(Problem::Locked).into());
            }
            Some(account) if right => account,
            Some(account) => {
                self.admin_attempt_failed(network).await?;
                let until =
                    OffsetDateTime::now_utc() + Duration::minutes(limits::LOCKOUT_MINUTES.into());
                let locked = self
                    .store
                    .count_failure(
                        account.id,
                        limits::FAILURES_BEFORE_LOCKOUT,
                        &format_time(until),
                    )
                    .await?;
                return Err(Refusal::SignIn(if locked {
                    Problem::Locked
                } else {
                    Problem::Wrong
                })
                .into());
            }
            None => {
                self.admin_attempt_failed(network).await?;
                return Err(Refusal::SignIn(Problem::Wrong).into());
            }
        };
        if account.disabled {
            return Err(Refusal::SignIn(Problem::Disabled).into());
        }
        Ok(account)
    }

    /// The staff member signed in with the session `token`, and its CSRF token; `None` when
    /// it is unknown, expired or closed, or its account disabled.
    pub async fn staff_session(&self, token: &str) -> Result<Option<(StaffMember, String)>> {
        Ok(self
            .store
            .session(&staff::session_key(token), &now_text())
            .await?)
    }

    /// Closes the session `token`.
    pub async fn sign_out(&self, token: &str) -> Result<()> {
        Ok(self.store.close_session(&staff::session_key(token)).await?)
    }

    /// Closes every session of `member`, on every device; how many there were.
    pub async fn sign_out_everywhere(&self, member: &StaffMember) -> Result<u64> {
        Ok(self.store.close_sessions(member.id).await?)
    }
}

/// What `member` may do on `site`: every site for an endpoint administrator.
pub fn role_on(member: &StaffMember, site: &str) -> Option<Role> {
    if member.endpoint_admin {
        return Some(Role::Admin);
    }
    member
        .sites
        .iter()
        .find(|role| role.site_id == site)
        .map(|role| role.role)
}

impl Service {
    /// The thread of comment `id`, when `member` has a role on its site.
    async fn thread_of_staff_comment(&self, member: &StaffMember, id: i64) -> Result<Thread> {
        let comment = self
            .store
            .comment(id, None)
            .await?
            .ok_or(Refusal::NotFound("comment"))?;
        let thread = self
            .store
            .thread(&comment.thread_id)
            .await?
            .ok_or(Refusal::NotFound("thread"))?;
        role_on(member, &thread.site_id).ok_or(Refusal::NotStaffOf)?;
        Ok(thread)
    }

    /// The comments of `site` waiting for staff, oldest first, for one who has a role there.
    pub async fn review_queue(&self, member: &StaffMember, site: &str) -> Result<Vec<Waiting>> {
        role_on(member, site).ok_or(Refusal::NotStaffOf)?;
        Ok(self.store.review_queue(site, QUEUE_LENGTH).await?)
    }

    /// The proposals of `site`'s boxes held for review, oldest first, for its staff.
    pub async fn waiting_proposals(
        &self,
        member: &StaffMember,
        site: &str,
    ) -> Result<Vec<WaitingProposal>> {
        role_on(member, site).ok_or(Refusal::NotStaffOf)?;
        Ok(self.store.waiting_proposals(site, QUEUE_LENGTH).await?)
    }

    /// A moderation action on proposal `id` of `site` by `member`, who must have a role
    /// there; audited under their name. A proposal of another site is not found there.
    pub async fn moderate_proposal_as(
        &self,
        member: &StaffMember,
        site: &str,
        id: i64,
        input: ProposalModeration,
    ) -> Result<()> {
        let actor = super::exports::staff_of(member, site)?;
        self.proposal_of_site(site, id).await?;
        self.moderate_proposal(&actor, id, input).await?;
        Ok(())
    }

    /// Box `id` of `site` and every proposal in it (whatever its visibility, with its
    /// history, oldest first), for the site's staff.
    pub async fn box_for_staff(
        &self,
        member: &StaffMember,
        site: &str,
        id: &str,
    ) -> Result<(BoxView, Vec<ProposalView>)> {
        let actor = super::exports::staff_of(member, site)?;
        let b = self.load_box(id).await?;
        if b.site_id != site {
            return Err(Refusal::NotFound("box").into());
        }
        let proposals = self.proposal_queue(&actor, &b.id, None).await?.proposals;
        Ok((self.box_view(&b).await?, proposals))
    }

    /// Sets the status (and the answer, in the town's name) of proposal `id` of `site` as
    /// `member`, who must have a role there (moderators answer too); audited under their
    /// name. A proposal of another site is not found there.
    pub async fn set_status_as(
        &self,
        member: &StaffMember,
        site: &str,
        id: i64,
        input: StatusInput,
    ) -> Result<()> {
        let actor = super::exports::staff_of(member, site)?;
        self.proposal_of_site(site, id).await?;
        self.set_proposal_status(&actor, id, input).await?;
        Ok(())
    }

    /// Refused as not found unless proposal `id` is in a box of `site`.
    async fn proposal_of_site(&self, site: &str, id: i64) -> Result<()> {
        let proposal = found(self.store.proposal(id, None).await?, "proposal")?;
        if self.load_box(&proposal.box_id).await?.site_id == site {
            Ok(())
        } else {
            Err(Refusal::NotFound("proposal").into())
        }
    }

    /// A moderation action on comment `id` by `member`, who must have a role on its site;
    /// audited under their name.
    pub async fn moderate_as(
        &self,
        member: &StaffMember,
        id: i64,
        input: ModerationInput,
    ) -> Result<()> {
        self.thread_of_staff_comment(member, id).await?;
        self.moderate_comment(&Actor::Staff(member.login.clone()), id, input)
            .await?;
        Ok(())
    }
}

/// The most comments the review queue shows at once.
const QUEUE_LENGTH: u32 = 100;

impl Service {
    /// The audit log of `site`, newest first, for its administrators: by `actor` and of
    /// `action` when given.
    pub async fn site_audit(
        &self,
        member: &StaffMember,
        site: &str,
        actor: Option<&str>,
        action: Option<AuditAction>,
    ) -> Result<Vec<AuditEntry>> {
        super::team::require_site_admin(member, site)?;
        Ok(self
            .store
            .site_audit(site, actor, action, QUEUE_LENGTH)
            .await?)
    }
}

impl Service {
    /// The residents' comments of `site` without an official reply for more than `hours`,
    /// oldest first (the town's list of who is waiting for an answer).
    pub async fn unanswered(
        &self,
        member: &StaffMember,
        site: &str,
        hours: u32,
    ) -> Result<Vec<Waiting>> {
        role_on(member, site).ok_or(Refusal::NotStaffOf)?;
        let before = OffsetDateTime::now_utc() - Duration::hours(hours.into());
        // Stored times are whole seconds: so must the bound be to compare as text.
        let before = before.replace_nanosecond(0).unwrap_or(before);
        Ok(self
            .store
            .unanswered(site, &format_time(before), QUEUE_LENGTH)
            .await?)
    }

    /// An official reply to comment `id`, signed with the site's name, by `member`, who must
    /// have a role on its site; audited under their name.
    pub async fn answer_as(&self, member: &StaffMember, id: i64, text: &str) -> Result<()> {
        let thread = self.thread_of_staff_comment(member, id).await?;
        let site = self
            .store
            .site_notice(&thread.site_id)
            .await?
            .ok_or(Refusal::NotFound("site"))?;
        let input = CommentInput {
            author_name: site.name,
            text: text.to_owned(),
            parent_id: Some(id),
            official: true,
        };
        self.post_official(&Actor::Staff(member.login.clone()), &thread.id, input)
            .await?;
        Ok(())
    }
}
