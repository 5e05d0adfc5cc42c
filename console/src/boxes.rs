//! A proposal box as its staff run it: every proposal with its state, and the town's
//! status and answer for each, set from the same screen.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use civique_api::{BoxMode, BoxView, ProposalStatus, ProposalView, Visibility};
use serde::Deserialize;

use crate::extract::{with_csrf, Checked, Signed};
use crate::i18n::Key;
use crate::pages::{self, escape, escape_path, problem_of};
use crate::session::Session;
use crate::team::Done;
use crate::{page, refusal_page, Lang, Refused, Shared};

/// A status form sent back refused: whose, what was typed, and what is wrong.
struct Draft<'a> {
    id: i64,
    form: &'a StatusForm,
    problem: Key,
}

fn status_key(status: ProposalStatus) -> Key {
    match status {
        ProposalStatus::Submitted => Key::StSubmitted,
        ProposalStatus::UnderReview => Key::StUnderReview,
        ProposalStatus::Accepted => Key::StAccepted,
        ProposalStatus::Rejected => Key::StRejected,
        ProposalStatus::Implemented => Key::StImplemented,
        ProposalStatus::Duplicate => Key::StDuplicate,
        ProposalStatus::Answered => Key::StAnswered,
    }
}

/// The statuses a box's mode takes.
fn statuses(mode: BoxMode) -> &'static [ProposalStatus] {
    match mode {
        BoxMode::Ideas => &[
            ProposalStatus::Submitted,
            ProposalStatus::UnderReview,
            ProposalStatus::Accepted,
            ProposalStatus::Rejected,
            ProposalStatus::Implemented,
            ProposalStatus::Duplicate,
        ],
        BoxMode::Questions => &[ProposalStatus::Submitted, ProposalStatus::Answered],
    }
}

/// One proposal: its text and state, and its status form (with `draft` when it was just
/// refused).
fn proposal(
    lang: Lang,
    session: &Session,
    b: &BoxView,
    p: &ProposalView,
    draft: Option<&Draft>,
) -> String {
    let (status, answer, duplicate) = match draft {
        Some(draft) => (
            draft.form.status.as_str(),
            draft.form.answer.as_str(),
            draft.form.duplicate_of.as_str(),
        ),
        None => (p.status.as_str(), p.answer.as_deref().unwrap_or(""), ""),
    };
    let options: String = statuses(b.mode)
        .iter()
        .map(|s| {
            let selected = if s.as_str() == status {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{}\"{selected}>{}</option>",
                s.as_str(),
                lang.t(status_key(*s))
            )
        })
        .collect();
    let visibility = match p.visibility {
        Visibility::Published => Key::VisPublished,
        Visibility::Pending => Key::Pending,
        Visibility::Hidden => Key::VisHidden,
    };
    let text = if p.text.is_empty() {
        String::new()
    } else {
        format!("<blockquote>{}</blockquote>", escape(&p.text))
    };
    let answer_id = format!("answer-{}", p.id);
    let (problem, described) = problem_of(lang, &answer_id, draft.map(|d| d.problem));
    let duplicate_field = if b.mode == BoxMode::Ideas {
        format!(
            "<label for=\"duplicate-{id}\">{label}</label>\
             <input id=\"duplicate-{id}\" name=\"duplicate_of\" inputmode=\"numeric\" value=\"{value}\">",
            id = p.id,
            label = lang.t(Key::DuplicateOf),
            value = escape(duplicate),
        )
    } else {
        String::new()
    };
    format!(
        "<li><article aria-labelledby=\"p{id}\"><h2 id=\"p{id}\">{title}</h2>\
         <p>n° {id} · {visibility} · {supports} {supports_label} · \
         <time datetime=\"{at}\">{at}</time></p>{text}\
         <form method=\"post\" action=\"/console/sites/{site}/boxes/{box}/proposals/{id}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <label for=\"status-{id}\">{status_label}</label>\
         <select id=\"status-{id}\" name=\"status\">{options}</select>{duplicate_field}\
         <label for=\"{answer_id}\">{answer_label}</label>{problem}\
         <textarea id=\"{answer_id}\" name=\"answer\" rows=\"4\"{described}>{answer}</textarea>\
         <div><button type=\"submit\" aria-label=\"{save} : {title}\">{save}</button></div>\
         </form></article></li>",
        id = p.id,
        title = escape(&p.title),
        visibility = lang.t(visibility),
        supports = p.supports,
        supports_label = lang.t(Key::Supports),
        at = escape(&p.created_at),
        site = escape_path(&b.site_id),
        box = escape_path(&b.id),
        csrf = escape(&session.csrf),
        status_label = lang.t(Key::StatusLabel),
        answer_label = lang.t(Key::AnswerLabel),
        answer = escape(answer),
        save = lang.t(Key::SaveStatus),
    )
}

fn box_page(
    lang: Lang,
    session: &Session,
    (b, proposals): &(BoxView, Vec<ProposalView>),
    said: Option<Key>,
    draft: Option<&Draft>,
) -> String {
    let said = match (said, draft) {
        (_, Some(_)) => format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            lang.t(Key::FixFields)
        ),
        (Some(key), None) => format!("<p class=\"notice\" role=\"status\">{}</p>", lang.t(key)),
        (None, None) => String::new(),
    };
    let list = if proposals.is_empty() {
        format!("<p>{}</p>", lang.t(Key::NoProposal))
    } else {
        let items: String = proposals
            .iter()
            .map(|p| proposal(lang, session, b, p, draft.filter(|d| d.id == p.id)))
            .collect();
        format!("<ol class=\"queue\">{items}</ol>")
    };
    pages::layout(
        lang,
        &format!("{}{}", lang.t(Key::BoxOf), b.title),
        &format!(
            "{said}{list}<p><a href=\"/console/sites/{site}/widgets\">{back}</a></p>",
            site = escape_path(&b.site_id),
            back = lang.t(Key::BackToWidgets),
        ),
    )
}

pub(crate) async fn proposals(
    State(backend): State<Shared>,
    Path((site, id)): Path<(String, String)>,
    Query(done): Query<Done>,
    Signed { session, lang }: Signed,
) -> Response {
    let said = (done.done.as_deref() == Some("status")).then_some(Key::DoneStatus);
    match backend.box_for_staff(&session.member, &site, &id).await {
        Ok(found) => page(StatusCode::OK, box_page(lang, &session, &found, said, None)),
        Err(refused) => refusal_page(lang, refused),
    }
}

#[derive(Deserialize)]
pub(crate) struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    duplicate_of: String,
}

with_csrf!(StatusForm);

pub(crate) async fn set_status(
    State(backend): State<Shared>,
    Path((site, id, proposal)): Path<(String, String, String)>,
    Checked {
        session,
        lang,
        form,
    }: Checked<StatusForm>,
) -> Response {
    let Ok(proposal) = proposal.parse::<i64>() else {
        return refusal_page(lang, Refused::NotFound);
    };
    let duplicate_of = form.duplicate_of.trim();
    let parsed = (
        form.status.parse::<ProposalStatus>(),
        Some(duplicate_of)
            .filter(|text| !text.is_empty())
            .map(str::parse::<i64>)
            .transpose(),
    );
    let saved = match parsed {
        (Ok(status), Ok(duplicate_of)) => {
            let answer = Some(form.answer.trim().to_owned()).filter(|a| !a.is_empty());
            backend
                .set_status(
                    &session.member,
                    &site,
                    proposal,
                    status,
                    answer,
                    duplicate_of,
                )
                .await
        }
        _ => Err(Refused::Invalid),
    };
    match saved {
        Ok(()) => Redirect::to(&format!(
            "/console/sites/{}/boxes/{}?done=status#p{proposal}",
            escape_path(&site),
            escape_path(&id)
        ))
        .into_response(),
        // What was typed comes back in its form, with what is wrong beside the answer.
        Err(Refused::Invalid) => match backend.box_for_staff(&session.member, &site, &id).await {
            Ok(found) => {
                let draft = Draft {
                    id: proposal,
                    form: &form,
                    problem: Key::StatusProblem,
                };
                page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    box_page(lang, &session, &found, None, Some(&draft)),
                )
            }
            Err(refused) => refusal_page(lang, refused),
        },
        Err(refused) => refusal_page(lang, refused),
    }
}
