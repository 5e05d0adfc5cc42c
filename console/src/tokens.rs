//! A site's API tokens, for its administrators: the list (never the tokens themselves),
//! making one (shown once), revoking one.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use civique_api::staff::ApiTokenView;
use serde::Deserialize;

use crate::extract::{with_csrf, Checked, Signed};
use crate::i18n::Key;
use crate::pages::{self, escape, escape_path, Field};
use crate::session::Session;
use crate::team::Done;
use crate::{page, refusal_page, Lang, Refused, Shared};

/// What the tokens page says above its list: an action done, or a new token, once.
enum Said {
    Nothing,
    Revoked,
    Created { name: String, token: String },
}

/// The new token's form as sent back: the name typed and what is wrong with it.
#[derive(Default)]
struct Draft<'a> {
    name: &'a str,
    problem: Option<Key>,
}

fn tokens_page(
    lang: Lang,
    session: &Session,
    site: &str,
    tokens: &[ApiTokenView],
    said: &Said,
    draft: &Draft,
) -> String {
    let site_path = escape_path(site);
    let csrf = escape(&session.csrf);
    let said = match said {
        Said::Nothing => String::new(),
        Said::Revoked => format!(
            "<p class=\"notice\" role=\"status\">{}</p>",
            lang.t(Key::DoneRevoke)
        ),
        Said::Created { name, token } => format!(
            "<div class=\"notice\" role=\"status\"><p>{created} <strong>{name}</strong>.</p>\
             <p>{once}</p><label for=\"token\">{label}</label>\
             <input id=\"token\" readonly value=\"{token}\"></div>",
            created = lang.t(Key::TokenCreated),
            name = escape(name),
            once = lang.t(Key::TokenOnce),
            label = lang.t(Key::TokenLabel),
            token = escape(token),
        ),
    };
    let list = if tokens.is_empty() {
        format!("<p>{}</p>", lang.t(Key::NoToken))
    } else {
        let rows: String = tokens
            .iter()
            .map(|t| {
                format!(
                    "<tr><td>{name}</td><td>{by}</td><td><time datetime=\"{at}\">{at}</time></td>\
                     <td><form class=\"inline\" method=\"post\" \
                     action=\"/console/sites/{site_path}/tokens/{id}\">\
                     <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <button type=\"submit\" class=\"quiet\" name=\"action\" value=\"revoke\" \
                     aria-label=\"{revoke} : {name}\">{revoke}</button></form></td></tr>",
                    id = t.id,
                    name = escape(&t.name),
                    by = escape(&t.created_by),
                    at = escape(&t.created_at),
                    revoke = lang.t(Key::Revoke),
                )
            })
            .collect();
        let columns = [Key::Name, Key::CreatedBy, Key::CreatedAt, Key::Action];
        pages::table(lang, Key::Tokens, &columns, &rows)
    };
    let name_field = pages::field(
        lang,
        &Field {
            id: "token-name",
            name: "name",
            label: Key::TokenName,
            kind: "text",
            value: draft.name,
            problem: draft.problem,
            attributes: "required maxlength=\"64\" autocomplete=\"off\"",
        },
    );
    let create = format!(
        "<h2>{title}</h2><form method=\"post\" action=\"/console/sites/{site_path}/tokens\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">{name_field}\
         <div><button type=\"submit\">{create}</button></div></form>",
        title = lang.t(Key::NewToken),
        create = lang.t(Key::CreateToken),
    );
    pages::layout(
        lang,
        &format!("{}{site}", lang.t(Key::TokensOf)),
        &format!(
            "{said}<p>{intro}</p>{list}{create}<p><a href=\"/console\">{back}</a></p>",
            intro = lang.t(Key::TokensIntro),
            back = lang.t(Key::BackToConsole)
        ),
    )
}

/// The tokens page of `site` with `said` and `draft`, or the refusal's page.
async fn answer(
    backend: &Shared,
    session: &Session,
    lang: Lang,
    site: &str,
    said: Said,
    draft: Draft<'_>,
) -> Response {
    match backend.api_tokens(&session.member, site).await {
        Ok(tokens) => {
            let status = match (&said, draft.problem) {
                (_, Some(_)) => StatusCode::UNPROCESSABLE_ENTITY,
                (Said::Created { .. }, None) => StatusCode::CREATED,
                _ => StatusCode::OK,
            };
            page(
                status,
                tokens_page(lang, session, site, &tokens, &said, &draft),
            )
        }
        Err(refused) => refusal_page(lang, refused),
    }
}

pub(crate) async fn tokens(
    State(backend): State<Shared>,
    Path(site): Path<String>,
    Query(done): Query<Done>,
    Signed { session, lang }: Signed,
) -> Response {
    let said = match done.done.as_deref() {
        Some("revoke") => Said::Revoked,
        _ => Said::Nothing,
    };
    answer(&backend, &session, lang, &site, said, Draft::default()).await
}

#[derive(Deserialize)]
pub(crate) struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
pub(crate) struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
}

with_csrf!(CreateForm, RevokeForm);

pub(crate) async fn create(
    State(backend): State<Shared>,
    Path(site): Path<String>,
    Checked {
        session,
        lang,
        form,
    }: Checked<CreateForm>,
) -> Response {
    let problem = match backend
        .create_api_token(&session.member, &site, &form.name)
        .await
    {
        Ok(token) => {
            let said = Said::Created {
                name: form.name.trim().to_owned(),
                token,
            };
            return answer(&backend, &session, lang, &site, said, Draft::default()).await;
        }
        // The name typed stays in the form, with what is wrong with it.
        Err(Refused::Invalid) => Key::TokenNameProblem,
        Err(Refused::Taken) => Key::TokenNameTaken,
        Err(refused) => return refusal_page(lang, refused),
    };
    let draft = Draft {
        name: &form.name,
        problem: Some(problem),
    };
    answer(&backend, &session, lang, &site, Said::Nothing, draft).await
}

pub(crate) async fn revoke(
    State(backend): State<Shared>,
    Path((site, id)): Path<(String, String)>,
    Checked {
        session,
        lang,
        form,
    }: Checked<RevokeForm>,
) -> Response {
    if form.action != "revoke" {
        return refusal_page(lang, Refused::Invalid);
    }
    let Ok(id) = id.parse::<i64>() else {
        return refusal_page(lang, Refused::NotFound);
    };
    match backend.revoke_api_token(&session.member, &site, id).await {
        Ok(()) => Redirect::to(&format!(
            "/console/sites/{}/tokens?done=revoke",
            escape_path(&site)
        ))
        .into_response(),
        Err(refused) => refusal_page(lang, refused),
    }
}
