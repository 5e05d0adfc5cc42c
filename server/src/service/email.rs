//! Verified e-mail addresses (see [`crate::domain::email`]): a code sent, a code checked.

use civique_api::{EmailCodeCheck, EmailCodeRequest, EmailCodeSent, Participation, SsoParticipant};

use super::{
    expiry_time, now_ms, now_secs, random_bytes, random_hex, Caller, Error, Result, Service,
};
use crate::domain::email::{self, Authored, Problem};
use crate::domain::sso;
use crate::domain::Error as Refusal;
use crate::store::Nonce;

/// Codes one address may be sent a minute, and as many at once.
const CODES_PER_ADDRESS_PER_MINUTE: u32 = 2;
/// Tries one code allows a minute (with as many at once): a million codes stay out of
/// reach in its lifetime.
const TRIES_PER_CODE_PER_MINUTE: u32 = 5;

impl Service {
    /// Mails a one-time code to the resident's address for `site_id` and answers its
    /// ticket. One address gets [`CODES_PER_ADDRESS_PER_MINUTE`] codes a minute, one
    /// network as many as it may bring newcomers: no one can flood a mailbox through the
    /// endpoint.
    pub async fn email_code(
        &self,
        caller: &Caller,
        site_id: &str,
        request: &EmailCodeRequest,
    ) -> Result<EmailCodeSent> {
        let mailer = self
            .mailer
            .as_ref()
            .ok_or(Refusal::Email(Problem::NotEnabled))?;
        self.known_site(site_id).await?;
        self.check_origin(caller, site_id).await?;
        let address = email::normalize(&request.address).map_err(Refusal::InvalidInput)?;
        let key = self.token_key().await?;
        let subject = email::subject(key, site_id, &address);
        let now = now_ms();
        let mut buckets = vec![(
            format!("email:{site_id}:{subject}"),
            CODES_PER_ADDRESS_PER_MINUTE,
        )];
        let per_network = self.settings.newcomers_per_minute;
        if let Some(network) = caller.network.as_deref().filter(|_| per_network > 0) {
            buckets.push((format!("email-net:{site_id}:{network}"), per_network));
        }
        for (bucket, per_minute) in buckets {
            if !self.store.take_token(&bucket, per_minute, now).await? {
                return Err(Refusal::RateLimited.into());
            }
        }
        let code = email::code(u32::from_le_bytes(random_bytes()?));
        let (ticket, expires) = email::ticket(
            key,
            site_id,
            &subject,
            &code,
            &random_hex::<16>()?,
            now_secs(),
        );
        let place = caller
            .origin
            .as_deref()
            .and_then(|origin| origin.split_once("://"))
            .map_or(site_id, |(_, host)| host);
        let (title, body) = email::message(request.lang.as_deref().unwrap_or("fr"), place, &code);
        mailer
            .send(&address, &title, body)
            .await
            .map_err(Error::Mail)?;
        Ok(EmailCodeSent {
            ticket,
            expires_at: expiry_time(expires),
        })
    }

    /// Exchanges a code and its ticket for a participant token at the `email` level: the
    /// same participant for every code sent to one address on `site_id`.
    pub async fn email_verify(
        &self,
        caller: &Caller,
        site_id: &str,
        check: &EmailCodeCheck,
    ) -> Result<SsoParticipant> {
        if self.mailer.is_none() {
            return Err(Refusal::Email(Problem::NotEnabled).into());
        }
        self.check_origin(caller, site_id).await?;
        let tries = format!("email-try:{}", check.ticket.get(41..73).unwrap_or_default());
        if !self
            .store
            .take_token(&tries, TRIES_PER_CODE_PER_MINUTE, now_ms())
            .await?
        {
            return Err(Refusal::RateLimited.into());
        }
        let key = self.token_key().await?;
        let now = now_secs();
        let redeemed =
            email::redeem(key, site_id, &check.ticket, &check.code, now).map_err(Refusal::Email)?;
        // Checked before the code is spent: a mistyped address costs the resident nothing.
        let kept = check
            .keep_address
            .as_deref()
            .map(|address| {
                let address = email::normalize(address).map_err(Refusal::InvalidInput)?;
                if email::subject(key, site_id, &address) == redeemed.subject {
                    Ok(address)
                } else {
                    Err(Refusal::InvalidInput(
                        "keep_address is not the address the code was sent to".to_owned(),
                    ))
                }
            })
            .transpose()?;
        if !self
            .store
            .spend_nonce(Nonce::EmailCode, &redeemed.nonce, redeemed.expires, now)
            .await?
        {
            return Err(Refusal::Email(Problem::Replayed).into());
        }
        let (participant, expires) =
            sso::issue_for(key, site_id, Participation::Email, &redeemed.subject, now);
        if let Some(address) = kept {
            let (participant_key, _) =
                sso::issued_key(key, site_id, &participant, now).map_err(Refusal::Sso)?;
            let lang = email::lang_of(check.lang.as_deref());
            self.store
                .keep_contact(site_id, &participant_key, &address, lang)
                .await?;
        }
        Ok(SsoParticipant {
            participant,
            participation: Participation::Email,
            name: None,
            expires_at: expiry_time(expires),
        })
    }

    /// Tells the author of `what` that the town answered it with `answer`, when they asked
    /// to be told: in the background, so that staff do not wait for the SMTP server; a
    /// failure is logged (without the address): the answer itself is already stored.
    pub(super) async fn notify_author(&self, what: Authored, answer: &str) {
        let Some(mailer) = self.mailer.clone() else {
            return;
        };
        let contact = match self.store.author_contact(what).await {
            Ok(Some(contact)) => contact,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "could not look for a resident to tell of an answer");
                return;
            }
        };
        let (subject, body) = email::answer_message(&contact, what, answer);
        tokio::spawn(async move {
            if let Err(error) = mailer.send(&contact.address, &subject, body).await {
                tracing::warn!(%error, "could not tell a resident of an answer");
            }
        });
    }
}
