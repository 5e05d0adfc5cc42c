//! `GET /api/v1/sites/{site}/privacy`: where the "Confidentialité" link of every widget
//! leads. The town's own notice when the site names one (`privacy_url`), else the endpoint's
//! page of what civique keeps on that site, why, for how long, and how to erase it.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::error::Result;
use super::extract::{ApiPath, ApiQuery};
use super::AppState;
use crate::domain::site::Notice;
use civique_console::escape;

pub fn router() -> Router<AppState> {
    Router::new().route("/sites/{site}/privacy", get(notice))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeQuery {
    /// `en` for English; French otherwise.
    #[serde(default)]
    lang: Option<String>,
}

/// A page with no script; its one style sheet is inline.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; \
                           base-uri 'none'; form-action 'none'";

async fn notice(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    ApiQuery(query): ApiQuery<NoticeQuery>,
) -> Result<Response> {
    let notice = state.service.privacy_notice(&site).await?;
    if let Some(url) = &notice.privacy_url {
        return Ok(Redirect::to(url).into_response());
    }
    let english = query.lang.as_deref().is_some_and(|l| l.starts_with("en"));
    let mut response = Html(page(&notice, english)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

/// The endpoint's notice for a site without its own, in French or English.
fn page(notice: &Notice, english: bool) -> String {
    let name = escape(&notice.name);
    let months = notice.retention_months;
    let (lang, title, body) = if english {
        (
            "en",
            format!("Your personal data — consultations of {name}"),
            format!(
                "<p>The polls, comment threads and idea boxes of this website are run with civique for \
                 {name}, which is responsible for this processing. This is what is kept, why, and for how long.</p>\
                 <h2>In your browser</h2><ul>\
                 <li>A random participation token, the first time you take part (a vote, a comment, a \
                 proposal, a support, a report): it counts one participation per device and lets you change \
                 yours. No cookie is set.</li>\
                 <li>The display name you typed, and the draft of a text not sent yet.</li></ul>\
                 <h2>On the server</h2><ul>\
                 <li>Your contributions (votes, comments, proposals, supports, reports), tied to a hash of your \
                 token, never to the token itself.</li>\
                 <li>Your e-mail address only if you asked to be told of the answers; otherwise only a keyed \
                 hash of it, which counts one participation per address.</li>\
                 <li>Never your IP address: the limits against abuse use a name of your network that \
                 changes every day.</li></ul>\
                 <h2>For how long</h2>\
                 <p>{months} {unit} after a poll or an idea box closes, or a discussion is locked: votes, \
                 supports and reports are erased (the totals stay) and comments and proposals are no longer \
                 tied to their author (they show as “Anonymous”).</p>\
                 <h2>Your rights</h2>\
                 <p>The “My data” panel at the foot of every widget shows what your device contributed to \
                 this website, downloads it (JSON) and erases it. For any other request (access, \
                 rectification, objection), contact {name}; you may also lodge a complaint with the CNIL \
                 (cnil.fr).</p>",
                unit = if months == 1 { "month" } else { "months" },
            ),
        )
    } else {
        (
            "fr",
            format!("Vos données personnelles — consultations de {name}"),
            format!(
                "<p>Les sondages, commentaires et boîtes à idées de ce site sont fournis par civique pour \
                 {name}, responsable de ce traitement. Voici ce qui est conservé, pourquoi, et combien de temps.</p>\
                 <h2>Dans votre navigateur</h2><ul>\
                 <li>Un jeton de participation aléatoire, la première fois que vous participez (un vote, un \
                 commentaire, une proposition, un soutien, un signalement) : il compte une participation par \
                 appareil et vous permet de modifier la vôtre. Aucun cookie n’est déposé.</li>\
                 <li>Le nom affiché que vous avez saisi, et le brouillon d’un texte pas encore envoyé.</li></ul>\
                 <h2>Sur le serveur</h2><ul>\
                 <li>Vos contributions (votes, commentaires, propositions, soutiens, signalements), rattachées \
                 à une empreinte de votre jeton, jamais au jeton lui-même.</li>\
                 <li>Votre adresse e-mail seulement si vous avez demandé à être prévenu des réponses ; sinon \
                 seulement une empreinte chiffrée, qui compte une participation par adresse.</li>\
                 <li>Jamais votre adresse IP : les limites contre les abus utilisent un nom de votre réseau \
                 qui change chaque jour.</li></ul>\
                 <h2>Combien de temps</h2>\
                 <p>{months} mois après la clôture d’un sondage ou d’une boîte à idées, ou le verrouillage \
                 d’une discussion : les votes, soutiens et signalements sont effacés (les totaux restent) et \
                 les commentaires et propositions ne sont plus rattachés à leur auteur (ils s’affichent \
                 « Anonyme »).</p>\
                 <h2>Vos droits</h2>\
                 <p>Le panneau « Mes données », au pied de chaque module, montre ce que votre appareil a \
                 apporté sur ce site, le télécharge (JSON) et l’efface. Pour toute autre demande (accès, \
                 rectification, opposition), adressez-vous à {name} ; vous pouvez aussi saisir la CNIL \
                 (cnil.fr).</p>"
            ),
        )
    };
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>body{{max-width:40em;margin:2em auto;padding:0 1em;\
         font:1rem/1.6 system-ui,sans-serif;color:#1e1e1e;background:#fff}}h1{{font-size:1.5em}}\
         h2{{font-size:1.2em;margin-top:1.5em}}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_names_the_site_escaped_and_its_retention() {
        let notice = Notice {
            name: "Ville <de> \"Saint\" & Co".into(),
            privacy_url: None,
            retention_months: 1,
        };
        let fr = page(&notice, false);
        assert!(
            fr.contains("Ville &lt;de&gt; &quot;Saint&quot; &amp; Co"),
            "{fr}"
        );
        assert!(!fr.contains("<de>"));
        assert!(fr.contains("1 mois après"));
        assert!(fr.starts_with("<!doctype html><html lang=\"fr\">"));
        let en = page(&notice, true);
        assert!(
            en.contains("1 month after") && en.contains("lang=\"en\""),
            "{en}"
        );
        let en = page(
            &Notice {
                retention_months: 24,
                ..notice
            },
            true,
        );
        assert!(en.contains("24 months after"));
    }
}
