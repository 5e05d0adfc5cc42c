//! A site's staff, for its administrators: members and their roles, invitations by
//! one-time link, disabling and enabling accounts; and the page where an invitation is
//! accepted.

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use civique_api::staff::{limits, InvitationView, Role, Team};
use serde::Deserialize;

use crate::extract::{with_csrf, Checked, Signed};
use crate::i18n::Key;
use crate::pages::{self, escape, escape_path, Field};
use crate::session::{self, Session};
use crate::{forbidden, page, refusal_page, unavailable, ClientNetwork, Lang, Refused, Shared};

/// The invitation form as sent back: what was typed, and what is wrong with it.
#[derive(Debug, Default)]
struct InviteDraft<'a> {
    login: &'a str,
    role: Option<Role>,
    problem: Option<Key>,
}

/// What the team page shows above its lists: an action done, or a new invitation's link.
enum Said {
    Nothing,
    Done(Key),
    Invited { login: String, link: String },
}

fn role_name(role: Role) -> Key {
    match role {
        Role::Admin => Key::RoleAdmin,
        Role::Moderator => Key::RoleModerator,
    }
}

fn role_options(lang: Lang, chosen: Option<Role>) -> String {
    [Role::Moderator, Role::Admin]
        .iter()
        .map(|role| {
            let selected = if Some(*role) == chosen {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{}\"{selected}>{}</option>",
                role.as_str(),
                lang.t(role_name(*role))
            )
        })
        .collect()
}

fn team_page(
    lang: Lang,
    session: &Session,
    site: &str,
    team: &Team,
    said: &Said,
    draft: &InviteDraft,
) -> String {
    let site_path = escape_path(site);
    let csrf = escape(&session.csrf);
    let said = match said {
        Said::Nothing => String::new(),
        Said::Done(key) => format!("<p class=\"notice\" role=\"status\">{}</p>", lang.t(*key)),
        Said::Invited { login, link } => format!(
            "<div class=\"notice\" role=\"status\"><p>{created} <strong>{login}</strong>.</p>\
             <p>{once}</p><label for=\"link\">{link_label}</label>\
             <input id=\"link\" readonly value=\"{link}\"></div>",
            created = lang.t(Key::InvitationCreated),
            login = escape(login),
            once = lang.t(Key::InvitationOnce),
            link_label = lang.t(Key::InvitationLink),
            link = escape(link),
        ),
    };
    let rows: String = team
        .members
        .iter()
        .map(|m| {
            let (state, action, label) = if m.disabled {
                (Key::AccountDisabled, "enable", Key::EnableAccount)
            } else {
                (Key::AccountActive, "disable", Key::DisableAccount)
            };
            let act = if m.id == session.member.id {
                lang.t(Key::You).to_owned()
            } else {
                format!(
                    "<form class=\"inline\" method=\"post\" action=\"/console/sites/{site_path}/staff/{id}\">\
                     <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <button type=\"submit\" class=\"quiet\" name=\"action\" value=\"{action}\" \
                     aria-label=\"{label} : {login}\">{label}</button></form>",
                    id = m.id,
                    label = lang.t(label),
                    login = escape(&m.login),
                )
            };
            format!(
                "<tr><td>{name}</td><td>{login}</td><td>{role}</td><td>{state}</td><td>{act}</td></tr>",
                name = escape(&m.name),
                login = escape(&m.login),
                role = lang.t(role_name(m.role)),
                state = lang.t(state),
            )
        })
        .collect();
    let columns = [
        Key::Name,
        Key::Login,
        Key::RoleLabel,
        Key::State,
        Key::Action,
    ];
    let members = pages::table(lang, Key::Members, &columns, &rows);
    let invitations = if team.invitations.is_empty() {
        format!("<p>{}</p>", lang.t(Key::NoInvitation))
    } else {
        let rows: String = team
            .invitations
            .iter()
            .map(|i| {
                format!(
                    "<tr><td>{login}</td><td>{role}</td><td>{by}</td>\
                     <td><time datetime=\"{at}\">{at}</time></td></tr>",
                    login = escape(&i.login),
                    role = lang.t(role_name(i.role)),
                    by = escape(&i.invited_by),
                    at = escape(&i.expires_at),
                )
            })
            .collect();
        let columns = [Key::Login, Key::RoleLabel, Key::InvitedBy, Key::ValidUntil];
        pages::table(lang, Key::Invitations, &columns, &rows)
    };
    let login_field = pages::field(
        lang,
        &Field {
            id: "invite-login",
            name: "login",
            label: Key::Login,
            kind: "email",
            value: draft.login,
            problem: draft.problem,
            attributes: "required autocomplete=\"off\"",
        },
    );
    let invite = format!(
        "<h2>{title}</h2><form method=\"post\" action=\"/console/sites/{site_path}/staff/invite\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">{login_field}\
         <label for=\"invite-role\">{role_label}</label>\
         <select id=\"invite-role\" name=\"role\">{options}</select>\
         <div><button type=\"submit\">{invite}</button></div></form>",
        title = lang.t(Key::InviteTitle),
        role_label = lang.t(Key::RoleLabel),
        options = role_options(lang, draft.role),
        invite = lang.t(Key::Invite),
    );
    pages::layout(
        lang,
        &format!("{}{site}", lang.t(Key::TeamOf)),
        &format!(
            "{said}{members}{invitations}{invite}<p><a href=\"/console\">{}</a></p>",
            lang.t(Key::BackToConsole)
        ),
    )
}

#[derive(Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    pub(crate) done: Option<String>,
}

/// The team page of `site` with `said` and `draft`, or the refusal's page.
async fn answer_team(
    backend: &Shared,
    session: &Session,
    lang: Lang,
    site: &str,
    said: Said,
    draft: InviteDraft<'_>,
) -> Response {
    match backend.team(&session.member, site).await {
        Ok(team) => {
            let status = match (&said, draft.problem) {
                (_, Some(_)) => StatusCode::UNPROCESSABLE_ENTITY,
                (Said::Invited { .. }, None) => StatusCode::CREATED,
                _ => StatusCode::OK,
            };
            page(status, team_page(lang, session, site, &team, &said, &draft))
        }
        Err(refused) => refusal_page(lang, refused),
    }
}

pub(crate) async fn team(
    State(backend): State<Shared>,
    Path(site): Path<String>,
    Query(done): Query<Done>,
    Signed { session, lang }: Signed,
) -> Response {
    let said = match done.done.as_deref() {
        Some("disable") => Said::Done(Key::DoneDisable),
        Some("enable") => Said::Done(Key::DoneEnable),
        _ => Said::Nothing,
    };
    answer_team(
        &backend,
        &session,
        lang,
        &site,
        said,
        InviteDraft::default(),
    )
    .await
}

#[derive(Deserialize)]
pub(crate) struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    role: String,
}

#[derive(Deserialize)]
pub(crate) struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
}

with_csrf!(InviteForm, AccountForm);

pub(crate) async fn invite(
    State(backend): State<Shared>,
    Path(site): Path<String>,
    headers: HeaderMap,
    Checked {
        session,
        lang,
        form,
    }: Checked<InviteForm>,
) -> Response {
    let role = form.role.parse::<Role>().ok();
    let mut draft = InviteDraft {
        login: &form.login,
        role,
        problem: None,
    };
    let Some(role) = role else {
        return refusal_page(lang, Refused::Invalid);
    };
    match backend
        .invite(&session.member, &site, &form.login, role)
        .await
    {
        Ok(token) => {
            let said = Said::Invited {
                login: form.login.trim().to_lowercase(),
                link: format!("{}/console/invite/{token}", session::base_url(&headers)),
            };
            answer_team(
                &backend,
                &session,
                lang,
                &site,
                said,
                InviteDraft::default(),
            )
            .await
        }
        // The address typed stays in the form, with what is wrong with it.
        Err(Refused::Invalid) => {
            draft.problem = Some(Key::InvalidLogin);
            answer_team(&backend, &session, lang, &site, Said::Nothing, draft).await
        }
        Err(refused) => refusal_page(lang, refused),
    }
}

pub(crate) async fn account(
    State(backend): State<Shared>,
    Path((site, id)): Path<(String, String)>,
    Checked {
        session,
        lang,
        form,
    }: Checked<AccountForm>,
) -> Response {
    let disabled = match form.action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return refusal_page(lang, Refused::Invalid),
    };
    let Ok(id) = id.parse::<i64>() else {
        return refusal_page(lang, Refused::NotFound);
    };
    match backend
        .set_disabled(&session.member, &site, id, disabled)
        .await
    {
        Ok(()) => Redirect::to(&format!(
            "/console/sites/{}/staff?done={}",
            escape_path(&site),
            form.action
        ))
        .into_response(),
        Err(refused) => refusal_page(lang, refused),
    }
}

/// The accept form as sent back: the name typed and what is wrong with each field.
#[derive(Debug, Default)]
struct JoinDraft<'a> {
    name: &'a str,
    name_problem: Option<Key>,
    password_problem: Option<Key>,
    confirm_problem: Option<Key>,
}

impl JoinDraft<'_> {
    fn refused(&self) -> bool {
        self.name_problem.is_some()
            || self.password_problem.is_some()
            || self.confirm_problem.is_some()
    }
}

fn join_page(lang: Lang, token: &str, view: &InvitationView, draft: &JoinDraft) -> String {
    let intro = format!(
        "<p>{invited} <strong>{site}</strong> ({role}) : <strong>{login}</strong>.</p>",
        invited = lang.t(Key::InvitedTo),
        site = escape(&view.site_name),
        role = lang.t(role_name(view.role)),
        login = escape(&view.login),
    );
    let summary = if draft.refused() {
        format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            lang.t(Key::FixFields)
        )
    } else {
        String::new()
    };
    let fields = if view.existing_account {
        format!(
            "<p>{}</p>{}",
            lang.t(Key::JoinExisting),
            pages::field(
                lang,
                &Field {
                    id: "password",
                    name: "password",
                    label: Key::Password,
                    kind: "password",
                    value: "",
                    problem: draft.password_problem,
                    attributes: "required autocomplete=\"current-password\"",
                },
            )
        )
    } else {
        let name = pages::field(
            lang,
            &Field {
                id: "name",
                name: "name",
                label: Key::Name,
                kind: "text",
                value: draft.name,
                problem: draft.name_problem,
                attributes: "required autocomplete=\"name\"",
            },
        );
        let password = pages::field(
            lang,
            &Field {
                id: "password",
                name: "password",
                label: Key::NewPassword,
                kind: "password",
                value: "",
                problem: draft.password_problem,
                attributes: "required autocomplete=\"new-password\"",
            },
        );
        let confirm = pages::field(
            lang,
            &Field {
                id: "confirm",
                name: "confirm",
                label: Key::ConfirmPassword,
                kind: "password",
                value: "",
                problem: draft.confirm_problem,
                attributes: "required autocomplete=\"new-password\"",
            },
        );
        format!("{name}{password}{confirm}")
    };
    pages::layout(
        lang,
        lang.t(Key::JoinTitle),
        &format!(
            "{summary}{intro}<form method=\"post\" action=\"/console/invite/{token}\">{fields}\
             <div><button type=\"submit\">{join}</button></div></form>",
            token = escape_path(token),
            join = lang.t(Key::Join),
        ),
    )
}

fn invitation_gone(lang: Lang) -> Response {
    page(
        StatusCode::NOT_FOUND,
        pages::message(lang, Key::InvitationGone),
    )
}

pub(crate) async fn join(
    State(backend): State<Shared>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::of(&headers);
    match backend.invitation(&token).await {
        Ok(Some(view)) => page(
            StatusCode::OK,
            join_page(lang, &token, &view, &JoinDraft::default()),
        ),
        Ok(None) => invitation_gone(lang),
        Err(_) => unavailable(lang),
    }
}

#[derive(Deserialize)]
pub(crate) struct JoinForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// What is wrong with a new account's fields, each in its own words.
fn check_new_account(form: &JoinForm) -> JoinDraft<'_> {
    let name = form.name.trim().chars().count();
    let password = form.password.chars().count();
    JoinDraft {
        name: &form.name,
        name_problem: (name == 0 || name > limits::NAME_MAX_LEN).then_some(Key::NameNeeded),
        password_problem: (!(limits::PASSWORD_MIN_LEN..=limits::PASSWORD_MAX_LEN)
            .contains(&password))
        .then_some(Key::PasswordLength),
        confirm_problem: (form.confirm != form.password).then_some(Key::PasswordMismatch),
    }
}

pub(crate) async fn accept(
    State(backend): State<Shared>,
    Path(token): Path<String>,
    network: Option<Extension<ClientNetwork>>,
    headers: HeaderMap,
    Form(form): Form<JoinForm>,
) -> Response {
    let lang = Lang::of(&headers);
    if !session::same_origin(&headers) {
        return forbidden(lang);
    }
    let view = match backend.invitation(&token).await {
        Ok(Some(view)) => view,
        Ok(None) => return invitation_gone(lang),
        Err(_) => return unavailable(lang),
    };
    let mut draft = if view.existing_account {
        JoinDraft::default()
    } else {
        check_new_account(&form)
    };
    if !draft.refused() {
        let network = network.map(|Extension(ClientNetwork(name))| name);
        match backend
            .accept_invitation(&token, &form.name, &form.password, network.as_deref())
            .await
        {
            Ok(view) => {
                return page(
                    StatusCode::OK,
                    pages::login_after(lang, &view.login, Key::Joined),
                )
            }
            Err(Refused::NotFound) => return invitation_gone(lang),
            Err(Refused::Unavailable) => return unavailable(lang),
            Err(Refused::Locked) => draft.password_problem = Some(Key::Locked),
            Err(Refused::TooMany) => draft.password_problem = Some(Key::TooMany),
            Err(Refused::Disabled) => draft.password_problem = Some(Key::Disabled),
            Err(Refused::WrongCredentials) => {
                draft.password_problem = Some(Key::WrongPassword);
            }
            Err(_) => draft.name_problem = Some(Key::NameNeeded),
        }
    }
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        join_page(lang, &token, &view, &draft),
    )
}
