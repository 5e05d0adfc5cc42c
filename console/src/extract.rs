//! What every console handler starts with: the signed-in staff member, and for a form that
//! changes something, its check against cross-site requests.

use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use crate::session::{self, Cookie, Session};
use crate::{forbidden, refusal_page, unavailable, Lang, Refused, Shared};

/// The request's open session, if its cookie names one.
pub async fn session_of(
    backend: &Shared,
    headers: &axum::http::HeaderMap,
) -> Result<Option<Session>, Refused> {
    let Some(token) = Cookie::token(headers) else {
        return Ok(None);
    };
    Ok(backend
        .session(&token)
        .await?
        .map(|(member, csrf)| Session {
            token,
            member,
            csrf,
        }))
}

/// A signed-in staff member's request, in the page's language; without a session, the
/// answer is the sign-in page.
pub struct Signed {
    pub session: Session,
    pub lang: Lang,
}

impl FromRequestParts<Shared> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, backend: &Shared) -> Result<Self, Response> {
        let lang = Lang::of(&parts.headers);
        match session_of(backend, &parts.headers).await {
            Ok(Some(session)) => Ok(Signed { session, lang }),
            Ok(None) => Err(Redirect::to("/console/login").into_response()),
            Err(_) => Err(unavailable(lang)),
        }
    }
}

/// A form that carries its session's CSRF token (field `csrf`).
pub trait WithCsrf {
    fn csrf(&self) -> &str;
}

/// A form sent from the console's own pages by a signed-in staff member with their
/// session's CSRF token; anything else is refused with 403 before the handler runs.
pub struct Checked<F> {
    pub session: Session,
    pub lang: Lang,
    pub form: F,
}

impl<F: DeserializeOwned + WithCsrf + Send> FromRequest<Shared> for Checked<F> {
    type Rejection = Response;

    async fn from_request(request: Request, backend: &Shared) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Signed { session, lang } = Signed::from_request_parts(&mut parts, backend).await?;
        let same_origin = session::same_origin(&parts.headers);
        let request = Request::from_parts(parts, body);
        let Form(form) = Form::<F>::from_request(request, &())
            .await
            .map_err(|_| refusal_page(lang, Refused::Invalid))?;
        if same_origin && session::same_secret(form.csrf(), &session.csrf) {
            Ok(Checked {
                session,
                lang,
                form,
            })
        } else {
            Err(forbidden(lang))
        }
    }
}

/// Implements [`WithCsrf`] for forms whose token is their `csrf` field.
macro_rules! with_csrf {
    ($($form:ty),* $(,)?) => {
        $(impl $crate::extract::WithCsrf for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })*
    };
}
pub(crate) use with_csrf;
