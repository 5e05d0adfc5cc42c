//! The staff console at `/console`: pages rendered on the endpoint, with no script, for the
//! people who run a town's participation.
//!
//! This crate holds the console's pages, forms, texts and session handling; what they act
//! on comes through [`Backend`], which the endpoint implements on its service layer (the
//! same operations its API, command line and seed use). Never part of a resident bundle.

mod boxes;
mod extract;
mod i18n;
mod pages;
mod session;
mod settings;
mod team;
mod tokens;
mod widgets;

use std::sync::Arc;

use async_trait::async_trait;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use civique_api::exports::{ExportFormat, SiteWidgets, WidgetKind};
use civique_api::staff::{
    ApiTokenView, InvitationView, Role, SiteField, SiteRole, StaffMember, Team, WaitingComment,
    WaitingProposal,
};
use civique_api::{
    AuditAction, AuditEntry, BoxView, ModerationAction, ProposalAction, ProposalStatus,
    ProposalView, SiteInput,
};
use serde::Deserialize;

use extract::{Checked, Signed};
pub use i18n::Lang;
pub use pages::escape;
use session::{Cookie, Session};

/// Why the endpoint refused a console request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Wrong login or password (the same answer for an unknown login).
    WrongCredentials,
    /// Too many wrong passwords in a row: the account is locked for a while.
    Locked,
    /// The account was disabled.
    Disabled,
    /// Too many attempts from this network lately.
    TooMany,
    /// The staff member has no role on that site.
    Forbidden,
    /// Only the site's administrators may do this (the staff member moderates it).
    AdminOnly,
    /// Only the endpoint's administrators may do this (creating a site).
    EndpointAdminOnly,
    /// An administrator acting on an account that also works on sites they do not
    /// administer.
    BeyondSite,
    /// A staff member acting on their own account (disabling it).
    OwnAccount,
    /// No such comment (or site).
    NotFound,
    /// A name already in use (an API token's, on its site).
    Taken,
    /// A site's settings were refused for what is wrong with this field.
    InvalidSite(SiteField),
    /// The action does not fit (e.g. publishing a deleted comment), or its reason is too long.
    Invalid,
    /// The endpoint cannot answer right now (database down).
    Unavailable,
}

/// A new session: the cookie's token, the token forms send back, and who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub token: String,
    pub csrf: String,
    pub member: StaffMember,
}

/// What the console needs of the endpoint: its service layer.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Signs a staff member in from `network` (the daily name of the client's network).
    async fn sign_in(
        &self,
        login: &str,
        password: &str,
        network: Option<&str>,
    ) -> Result<Opened, Refused>;
    /// The staff member of the session `token` and its CSRF token, if it is open.
    async fn session(&self, token: &str) -> Result<Option<(StaffMember, String)>, Refused>;
    /// Closes the session `token`.
    async fn sign_out(&self, token: &str) -> Result<(), Refused>;
    /// Closes every session of `member`; how many there were.
    async fn sign_out_everywhere(&self, member: &StaffMember) -> Result<u64, Refused>;
    /// The comments of `site` waiting for staff, oldest first.
    async fn review_queue(
        &self,
        member: &StaffMember,
        site: &str,
    ) -> Result<Vec<WaitingComment>, Refused>;
    /// The proposals of `site`'s boxes held for review, oldest first.
    async fn waiting_proposals(
        &self,
        member: &StaffMember,
        site: &str,
    ) -> Result<Vec<WaitingProposal>, Refused>;
    /// Publishes or hides proposal `id` of `site` as `member`, with a public reason.
    async fn moderate_proposal(
        &self,
        member: &StaffMember,
        site: &str,
        id: i64,
        action: ProposalAction,
        reason: Option<String>,
    ) -> Result<(), Refused>;
    /// Box `id` of `site` and every proposal in it, for its staff.
    async fn box_for_staff(
        &self,
        member: &StaffMember,
        site: &str,
        id: &str,
    ) -> Result<(BoxView, Vec<ProposalView>), Refused>;
    /// Sets the status of proposal `id` of `site`, with the town's answer when given (and
    /// the proposal it duplicates).
    async fn set_status(
        &self,
        member: &StaffMember,
        site: &str,
        id: i64,
        status: ProposalStatus,
        answer: Option<String>,
        duplicate_of: Option<i64>,
    ) -> Result<(), Refused>;
    /// The audit log of `site`, newest first, by `actor` and of `action` when given; for the
    /// site's administrators only.
    async fn site_audit(
        &self,
        member: &StaffMember,
        site: &str,
        actor: Option<&str>,
        action: Option<AuditAction>,
    ) -> Result<Vec<AuditEntry>, Refused>;
    /// The residents' comments of `site` without an official reply for more than `hours`.
    async fn unanswered(
        &self,
        member: &StaffMember,
        site: &str,
        hours: u32,
    ) -> Result<Vec<WaitingComment>, Refused>;
    /// Answers comment `id` officially, in the site's name, as `member`.
    async fn answer(&self, member: &StaffMember, id: i64, text: &str) -> Result<(), Refused>;
    /// Approves, hides, restores or deletes comment `id` as `member`, with a public reason.
    async fn moderate(
        &self,
        member: &StaffMember,
        id: i64,
        action: ModerationAction,
        reason: Option<String>,
    ) -> Result<(), Refused>;
    /// The staff of `site` and its pending invitations, for its administrators.
    async fn team(&self, member: &StaffMember, site: &str) -> Result<Team, Refused>;
    /// Invites `login` to `role` on `site`: the token of a one-time link.
    async fn invite(
        &self,
        member: &StaffMember,
        site: &str,
        login: &str,
        role: Role,
    ) -> Result<String, Refused>;
    /// What the invitation link `token` opens, if it is still usable.
    async fn invitation(&self, token: &str) -> Result<Option<InvitationView>, Refused>;
    /// Uses the invitation link `token`: a new account named `name` with `password`, or
    /// the password of the invited login's existing account.
    async fn accept_invitation(
        &self,
        token: &str,
        name: &str,
        password: &str,
        network: Option<&str>,
    ) -> Result<InvitationView, Refused>;
    /// The definition of `site` (without its account secret), for its administrators.
    async fn site(&self, member: &StaffMember, site: &str) -> Result<SiteInput, Refused>;
    /// Replaces the name, settings and origins of site `site.id` as `member` (its account
    /// secret stays).
    async fn save_site(&self, member: &StaffMember, site: SiteInput) -> Result<(), Refused>;
    /// Every site's id and name, for the endpoint's administrators.
    async fn all_sites(&self, member: &StaffMember) -> Result<Vec<(String, String)>, Refused>;
    /// Creates `site`, as an administrator of the endpoint.
    async fn create_site(&self, member: &StaffMember, site: SiteInput) -> Result<(), Refused>;
    /// The polls, threads and boxes of `site`, for its staff.
    async fn site_widgets(&self, member: &StaffMember, site: &str) -> Result<SiteWidgets, Refused>;
    /// Widget `id` (of `kind`) of `site` as an open-data file in `format`.
    async fn export(
        &self,
        member: &StaffMember,
        site: &str,
        kind: WidgetKind,
        id: &str,
        format: ExportFormat,
    ) -> Result<String, Refused>;
    /// Closes widget `id` (of `kind`) of `site` now, or reopens it (`open`).
    async fn set_widget_open(
        &self,
        member: &StaffMember,
        site: &str,
        kind: WidgetKind,
        id: &str,
        open: bool,
    ) -> Result<(), Refused>;
    /// The API tokens of `site`, for its administrators.
    async fn api_tokens(
        &self,
        member: &StaffMember,
        site: &str,
    ) -> Result<Vec<ApiTokenView>, Refused>;
    /// Makes an API token named `name` for `site`: the token, shown once.
    async fn create_api_token(
        &self,
        member: &StaffMember,
        site: &str,
        name: &str,
    ) -> Result<String, Refused>;
    /// Revokes API token `id` of `site`.
    async fn revoke_api_token(
        &self,
        member: &StaffMember,
        site: &str,
        id: i64,
    ) -> Result<(), Refused>;
    /// Disables staff account `id` of `site` (its sessions closed) or enables it again.
    async fn set_disabled(
        &self,
        member: &StaffMember,
        site: &str,
        id: i64,
        disabled: bool,
    ) -> Result<(), Refused>;
}

/// The daily name of the client's network, which the endpoint sets on each request (the
/// sign-in limits count per network).
#[derive(Debug, Clone)]
pub struct ClientNetwork(pub String);

type Shared = Arc<dyn Backend>;

/// The console's routes, under `/console`.
pub fn router<S: Clone + Send + Sync + 'static>(backend: Arc<dyn Backend>) -> Router<S> {
    Router::new()
        .route("/console", get(home))
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", axum::routing::post(logout))
        .route("/console/logout-all", axum::routing::post(logout_all))
        .route("/console/sites/{site}/review", get(review))
        .route("/console/sites/{site}/audit", get(audit))
        .route("/console/sites/{site}/unanswered", get(unanswered))
        .route(
            "/console/sites/{site}/unanswered/{id}",
            axum::routing::post(answer),
        )
        .route(
            "/console/sites/{site}/review/{id}",
            axum::routing::post(moderate),
        )
        .route(
            "/console/sites/{site}/review/proposals/{id}",
            axum::routing::post(moderate_proposal),
        )
        .route("/console/sites/new", get(settings::new_site))
        .route("/console/sites", axum::routing::post(settings::create))
        .route(
            "/console/sites/{site}/settings",
            get(settings::settings).post(settings::save),
        )
        .route("/console/sites/{site}/staff", get(team::team))
        .route(
            "/console/sites/{site}/staff/invite",
            axum::routing::post(team::invite),
        )
        .route(
            "/console/sites/{site}/staff/{id}",
            axum::routing::post(team::account),
        )
        .route("/console/sites/{site}/widgets", get(widgets::widgets))
        .route("/console/sites/{site}/boxes/{id}", get(boxes::proposals))
        .route(
            "/console/sites/{site}/boxes/{id}/proposals/{proposal}",
            axum::routing::post(boxes::set_status),
        )
        .route(
            "/console/sites/{site}/widgets/{kind}/{id}",
            axum::routing::post(widgets::set_open),
        )
        .route(
            "/console/sites/{site}/exports/{kind}/{file}",
            get(widgets::export),
        )
        .route(
            "/console/sites/{site}/tokens",
            get(tokens::tokens).post(tokens::create),
        )
        .route(
            "/console/sites/{site}/tokens/{id}",
            axum::routing::post(tokens::revoke),
        )
        .route(
            "/console/invite/{token}",
            get(team::join).post(team::accept),
        )
        .route("/console/console.css", get(stylesheet))
        .route("/console/{*rest}", axum::routing::any(no_such_page))
        .with_state(backend)
}

/// Every console answer: no cache, no framing, nothing but its own style sheet.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                           form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn page(status: StatusCode, html: String) -> Response {
    let mut response = (status, axum::response::Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Not the endpoint's `no-referrer`: under it, browsers send `Origin: null` with the
    // console's own forms, which the origin check would refuse.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

async fn stylesheet() -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        pages::STYLESHEET,
    )
        .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// The page said when the endpoint itself failed.
fn unavailable(lang: Lang) -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        pages::message(lang, i18n::Key::Unavailable),
    )
}

/// The page said when a form did not come from the console or lacked its session's token.
fn forbidden(lang: Lang) -> Response {
    page(
        StatusCode::FORBIDDEN,
        pages::message(lang, i18n::Key::CsrfRefused),
    )
}

/// The page of a refusal other than a sign-in's.
fn refusal_page(lang: Lang, refused: Refused) -> Response {
    let (status, key) = match refused {
        Refused::Forbidden => (StatusCode::FORBIDDEN, i18n::Key::Forbidden),
        Refused::AdminOnly => (StatusCode::FORBIDDEN, i18n::Key::AdminOnly),
        Refused::EndpointAdminOnly => (StatusCode::FORBIDDEN, i18n::Key::EndpointAdminOnly),
        Refused::BeyondSite => (StatusCode::FORBIDDEN, i18n::Key::BeyondSite),
        Refused::OwnAccount => (StatusCode::FORBIDDEN, i18n::Key::OwnAccount),
        Refused::NotFound => (StatusCode::NOT_FOUND, i18n::Key::NotFound),
        Refused::Invalid | Refused::InvalidSite(_) => {
            (StatusCode::UNPROCESSABLE_ENTITY, i18n::Key::Invalid)
        }
        Refused::Taken => (StatusCode::CONFLICT, i18n::Key::Invalid),
        _ => return unavailable(lang),
    };
    page(status, pages::message(lang, key))
}

/// Any other path under `/console`: a page, not the API's JSON.
async fn no_such_page(headers: HeaderMap) -> Response {
    let lang = Lang::of(&headers);
    page(
        StatusCode::NOT_FOUND,
        pages::message(lang, i18n::Key::NoSuchPage),
    )
}

async fn home(State(backend): State<Shared>, headers: HeaderMap) -> Response {
    let lang = Lang::of(&headers);
    match extract::session_of(&backend, &headers).await {
        Ok(Some(session)) => {
            // Their sites and roles: every site for the endpoint's administrators.
            let member = &session.member;
            let sites: Vec<SiteRole> = if member.endpoint_admin {
                match backend.all_sites(member).await {
                    Ok(all) => all
                        .into_iter()
                        .map(|(site_id, _)| SiteRole {
                            site_id,
                            role: Role::Admin,
                        })
                        .collect(),
                    Err(_) => return unavailable(lang),
                }
            } else {
                member.sites.clone()
            };
            // What waits on each, said beside its queue's link.
            let mut waiting = Vec::with_capacity(sites.len());
            for site in &sites {
                let queue = backend.review_queue(member, &site.site_id).await;
                let proposals = backend.waiting_proposals(member, &site.site_id).await;
                waiting
                    .push(queue.map_or(0, |queue| queue.len()) + proposals.map_or(0, |p| p.len()));
            }
            page(
                StatusCode::OK,
                pages::home(lang, &session, &sites, &waiting),
            )
        }
        Ok(None) => Redirect::to("/console/login").into_response(),
        Err(_) => unavailable(lang),
    }
}

async fn login_page(headers: HeaderMap) -> Response {
    let lang = Lang::of(&headers);
    page(StatusCode::OK, pages::login(lang, "", None))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(backend): State<Shared>,
    network: Option<Extension<ClientNetwork>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = Lang::of(&headers);
    if !session::same_origin(&headers) {
        return forbidden(lang);
    }
    let network = network.map(|Extension(ClientNetwork(name))| name);
    match backend
        .sign_in(&form.login, &form.password, network.as_deref())
        .await
    {
        Ok(opened) => {
            let mut response = Redirect::to("/console").into_response();
            if let Ok(cookie) = Cookie::open(&opened.token, session::over_https(&headers)) {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(Refused::Unavailable) => unavailable(lang),
        Err(refused) => {
            let status = match refused {
                Refused::Locked | Refused::TooMany => StatusCode::TOO_MANY_REQUESTS,
                Refused::Disabled => StatusCode::FORBIDDEN,
                _ => StatusCode::UNAUTHORIZED,
            };
            // The address typed stays in the form; a password is never sent back.
            page(status, pages::login(lang, &form.login, Some(refused)))
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Signs the session of a checked form out, here only or (`everywhere`) on every device,
/// and answers with the sign-in page saying so, the session cookie cleared.
async fn sign_out(backend: Shared, session: Session, lang: Lang, everywhere: bool) -> Response {
    let done = if everywhere {
        backend
            .sign_out_everywhere(&session.member)
            .await
            .map(|count| (i18n::Key::SignedOutEverywhere, Some(count)))
    } else {
        backend
            .sign_out(&session.token)
            .await
            .map(|()| (i18n::Key::SignedOut, None))
    };
    let Ok((key, count)) = done else {
        return unavailable(lang);
    };
    let mut response = page(StatusCode::OK, pages::signed_out(lang, key, count));
    response
        .headers_mut()
        .insert(header::SET_COOKIE, Cookie::cleared());
    response
}

async fn logout(State(backend): State<Shared>, checked: Checked<CsrfForm>) -> Response {
    sign_out(backend, checked.session, checked.lang, false).await
}

async fn logout_all(State(backend): State<Shared>, checked: Checked<CsrfForm>) -> Response {
    sign_out(backend, checked.session, checked.lang, true).await
}

#[derive(Deserialize)]
struct Done {
    #[serde(default)]
    done: Option<String>,
}

async fn review(
    State(backend): State<Shared>,
    Path(site): Path<String>,
    Query(done): Query<Done>,
    Signed { session, lang }: Signed,
) -> Response {
    let waiting = backend.review_queue(&session.member, &site).await;
    let proposals = backend.waiting_proposals(&session.member, &site).await;
    match waiting.and_then(|waiting| Ok((waiting, proposals?))) {
        Ok((waiting, proposals)) => page(
            StatusCode::OK,
            pages::review(
                lang,
                &session,
                &site,
                (&waiting, &proposals),
                done.done.as_deref(),
            ),
        ),
        Err(refused) => refusal_page(lang, refused),
    }
}

async fn moderate_proposal(
    State(backend): State<Shared>,
    Path((site, id)): Path<(String, String)>,
    Checked {
        session,
        lang,
        form,
    }: Checked<ModerationForm>,
) -> Response {
    let action = match form.action.parse::<ProposalAction>() {
        Ok(action @ (ProposalAction::Approve | ProposalAction::Hide)) => action,
        _ => return refusal_page(lang, Refused::Invalid),
    };
    let Some((id, reason)) = form.target(&id) else {
        return refusal_page(lang, Refused::NotFound);
    };
    let done = backend
        .moderate_proposal(&session.member, &site, id, action, reason)
        .await;
    back_to_queue(lang, &site, &format!("proposal-{}", action.as_str()), done)
}

#[derive(Deserialize)]
struct ModerationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

impl ModerationForm {
    /// The id of what the form acts on (`id` of its path, if it is one) and its public
    /// reason, if one was typed.
    fn target(&self, id: &str) -> Option<(i64, Option<String>)> {
        let reason = Some(self.reason.trim().to_owned()).filter(|r| !r.is_empty());
        Some((id.parse().ok()?, reason))
    }
}

/// Back to `site`'s queue saying `done`, or the refusal's page.
fn back_to_queue(lang: Lang, site: &str, done: &str, result: Result<(), Refused>) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!(
            "/console/sites/{}/review?done={done}",
            pages::escape_path(site),
        ))
        .into_response(),
        Err(refused) => refusal_page(lang, refused),
    }
}

async fn moderate(
    State(backend): State<Shared>,
    Path((site, id)): Path<(String, String)>,
    Checked {
        session,
        lang,
        form,
    }: Checked<ModerationForm>,
) -> Response {
    let action = match form.action.parse::<ModerationAction>() {
        Ok(
            action @ (ModerationAction::Approve
            | ModerationAction::Hide
            | ModerationAction::Restore
            | ModerationAction::Delete),
        ) => action,
        _ => return refusal_page(lang, Refused::Invalid),
    };
    let Some((id, reason)) = form.target(&id) else {
        return refusal_page(lang, Refused::NotFound);
    };
    let done = backend.moderate(&session.member, id, action, reason).await;
    back_to_queue(lang, &site, action.as_str(), done)
}

#[derive(Deserialize)]
struct AuditFilter {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
}

async fn audit(
    State(backend): State<Shared>,
    Path(site): Path<String>,
    Query(filter): Query<AuditFilter>,
    Signed { session, lang }: Signed,
) -> Response {
    let actor = Some(filter.actor.trim()).filter(|a| !a.is_empty());
    let action = filter.action.parse::<AuditAction>().ok();
    match backend
        .site_audit(&session.member, &site, actor, action)
        .await
    {
        Ok(entries) => page(
            StatusCode::OK,
            pages::audit(lang, &site, &entries, actor.unwrap_or(""), action),
        ),
        Err(refused) => refusal_page(lang, refused),
    }
}

/// How long a resident waits before their comment is listed as unanswered, by default.
const UNANSWERED_HOURS: u32 = 48;

#[derive(Deserialize)]
struct Waited {
    #[serde(default)]
    hours: Option<u32>,
    #[serde(default)]
    done: Option<String>,
}

/// The unanswered page of `site`, with `draft` (the comment id, the text typed and whether
/// it was refused) kept in its form.
async fn unanswered_page(
    backend: &Shared,
    session: &Session,
    lang: Lang,
    site: &str,
    hours: u32,
    draft: Option<(i64, &str)>,
    done: bool,
) -> Response {
    match backend.unanswered(&session.member, site, hours).await {
        Ok(waiting) => {
            let status = if draft.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let view = pages::Unanswered {
                site,
                hours,
                waiting: &waiting,
                draft,
                done,
            };
            page(status, pages::unanswered(lang, session, &view))
        }
        Err(refused) => refusal_page(lang, refused),
    }
}

async fn unanswered(
    State(backend): State<Shared>,
    Path(site): Path<String>,
    Query(waited): Query<Waited>,
    Signed { session, lang }: Signed,
) -> Response {
    let hours = waited.hours.unwrap_or(UNANSWERED_HOURS);
    let done = waited.done.as_deref() == Some("reply");
    unanswered_page(&backend, &session, lang, &site, hours, None, done).await
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    hours: Option<u32>,
}

extract::with_csrf!(CsrfForm, ModerationForm, AnswerForm);

async fn answer(
    State(backend): State<Shared>,
    Path((site, id)): Path<(String, String)>,
    Checked {
        session,
        lang,
        form,
    }: Checked<AnswerForm>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return refusal_page(lang, Refused::NotFound);
    };
    let hours = form.hours.unwrap_or(UNANSWERED_HOURS);
    match backend.answer(&session.member, id, &form.text).await {
        Ok(()) => Redirect::to(&format!(
            "/console/sites/{}/unanswered?hours={hours}&done=reply",
            pages::escape_path(&site)
        ))
        .into_response(),
        // What was typed stays in the form, with what is wrong with it.
        Err(Refused::Invalid) => {
            let draft = Some((id, form.text.as_str()));
            unanswered_page(&backend, &session, lang, &site, hours, draft, false).await
        }
        Err(refused) => refusal_page(lang, refused),
    }
}
