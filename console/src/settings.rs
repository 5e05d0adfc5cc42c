//! A site's settings, for its administrators: its name, the origins that embed its widgets,
//! its privacy notice and retention period, and its comment rules; and a new site, for the
//! endpoint's administrators.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use civique_api::staff::SiteField;
use civique_api::{limits, BlockedWordsAction, SiteInput, SiteSettings};
use serde::Deserialize;

use crate::extract::{with_csrf, Checked, Signed};
use crate::i18n::Key;
use crate::pages::{self, escape, escape_path, problem_of, Field};
use crate::session::Session;
use crate::team::Done;
use crate::{page, refusal_page, Lang, Refused, Shared};

/// The settings form, as typed: what a refused save shows again.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SiteForm {
    #[serde(default)]
    csrf: String,
    /// A new site's id (an existing site's is in the path).
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    /// One origin a line.
    #[serde(default)]
    origins: String,
    #[serde(default)]
    privacy_url: String,
    #[serde(default)]
    retention_months: String,
    #[serde(default)]
    report_threshold: String,
    /// One word a line.
    #[serde(default)]
    blocked_words: String,
    #[serde(default)]
    blocked_words_action: String,
    /// Present (`on`) when the box is ticked.
    #[serde(default)]
    auto_threads: Option<String>,
}

with_csrf!(SiteForm);

/// The non-empty lines of `text`, trimmed.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

impl SiteForm {
    fn of(site: &SiteInput) -> Self {
        let settings = &site.settings;
        Self {
            csrf: String::new(),
            id: site.id.clone(),
            name: site.name.clone(),
            origins: site.origins.join("\n"),
            privacy_url: site.privacy_url.clone().unwrap_or_default(),
            retention_months: site.retention_months.to_string(),
            report_threshold: settings.report_threshold.to_string(),
            blocked_words: settings.blocked_words.join("\n"),
            blocked_words_action: settings.blocked_words_action.as_str().to_owned(),
            auto_threads: settings.auto_threads.then(|| "on".to_owned()),
        }
    }

    /// The form of a new site: every setting at its default.
    fn blank() -> Self {
        Self::of(&SiteInput {
            id: String::new(),
            name: String::new(),
            origins: Vec::new(),
            sso_secret: None,
            retention_months: limits::DEFAULT_RETENTION_MONTHS,
            privacy_url: None,
            settings: SiteSettings::default(),
        })
    }

    /// The site `id` this form describes, or the field that is not even of the right kind
    /// (a number that is not one).
    fn site(&self, id: &str) -> Result<SiteInput, SiteField> {
        let number = |text: &str, field| text.trim().parse::<u32>().map_err(|_| field);
        let privacy_url = self.privacy_url.trim();
        Ok(SiteInput {
            id: id.to_owned(),
            name: self.name.clone(),
            origins: lines(&self.origins),
            sso_secret: None,
            retention_months: number(&self.retention_months, SiteField::RetentionMonths)?,
            privacy_url: Some(privacy_url.to_owned()).filter(|url| !url.is_empty()),
            settings: SiteSettings {
                auto_threads: self.auto_threads.is_some(),
                report_threshold: number(&self.report_threshold, SiteField::ReportThreshold)?,
                blocked_words: lines(&self.blocked_words),
                blocked_words_action: self
                    .blocked_words_action
                    .parse()
                    .map_err(|_| SiteField::BlockedWords)?,
            },
        })
    }
}

/// What is wrong with a field, said beside it.
fn problem_key(field: SiteField) -> Key {
    match field {
        SiteField::Id => Key::SiteIdProblem,
        SiteField::Name => Key::SiteNameProblem,
        SiteField::Origins => Key::OriginsProblem,
        SiteField::PrivacyUrl => Key::PrivacyUrlProblem,
        SiteField::RetentionMonths => Key::RetentionProblem,
        SiteField::ReportThreshold => Key::ThresholdProblem,
        SiteField::BlockedWords => Key::BlockedWordsProblem,
    }
}

/// A labelled text area (`id`, its field's `name`), with its hint and its problem tied to
/// it.
fn text_area(
    lang: Lang,
    (id, name): (&str, &str),
    (label, hint): (Key, Key),
    value: &str,
    problem: Option<Key>,
) -> String {
    let (problem, described) = problem_of(lang, id, problem);
    let described = if described.is_empty() {
        format!(" aria-describedby=\"{id}-hint\"")
    } else {
        described.replace("-problem\"", &format!("-problem {id}-hint\""))
    };
    format!(
        "<label for=\"{id}\">{label}</label><p class=\"hint\" id=\"{id}-hint\">{hint}</p>\
         {problem}<textarea id=\"{id}\" name=\"{name}\" rows=\"4\"{described}>{value}</textarea>",
        label = lang.t(label),
        hint = lang.t(hint),
        value = escape(value),
    )
}

/// Which site the form is about.
#[derive(Debug, Clone, Copy)]
enum Subject<'a> {
    Site(&'a str),
    /// A site to create, its id typed in the form.
    New,
}

/// What the settings page says above its form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The settings as stored.
    Shown,
    Saved,
    /// The site was just created.
    Created,
    /// Refused for this field.
    Wrong(SiteField),
    /// A new site's id is another site's.
    Taken,
    /// Not saved: the endpoint could not answer (what was typed is shown again).
    Failed,
}

fn settings_page(
    lang: Lang,
    session: &Session,
    subject: Subject,
    form: &SiteForm,
    outcome: Outcome,
) -> String {
    let wrong = |field| match outcome {
        Outcome::Wrong(wrong) if wrong == field => Some(problem_key(field)),
        Outcome::Taken if field == SiteField::Id => Some(Key::SiteIdTaken),
        _ => None,
    };
    let alert = |key| format!("<p class=\"error\" role=\"alert\">{}</p>", lang.t(key));
    let notice = |key| format!("<p class=\"notice\" role=\"status\">{}</p>", lang.t(key));
    let said = match outcome {
        Outcome::Shown => String::new(),
        Outcome::Saved => notice(Key::DoneSettings),
        Outcome::Created => notice(Key::DoneCreated),
        Outcome::Wrong(_) | Outcome::Taken => alert(Key::FixFields),
        Outcome::Failed => alert(Key::Unavailable),
    };
    let (title, action, id, submit) = match subject {
        Subject::Site(site) => (
            format!("{}{site}", lang.t(Key::SettingsOf)),
            format!("/console/sites/{}/settings", escape_path(site)),
            String::new(),
            Key::SaveSettings,
        ),
        Subject::New => (
            lang.t(Key::NewSite).to_owned(),
            "/console/sites".to_owned(),
            pages::field(
                lang,
                &Field {
                    id: "site-id",
                    name: "id",
                    label: Key::SiteId,
                    kind: "text",
                    value: &form.id,
                    problem: wrong(SiteField::Id),
                    attributes: "required maxlength=\"64\" autocomplete=\"off\"",
                },
            ),
            Key::CreateSite,
        ),
    };
    let name = pages::field(
        lang,
        &Field {
            id: "site-name",
            name: "name",
            label: Key::SiteName,
            kind: "text",
            value: &form.name,
            problem: wrong(SiteField::Name),
            attributes: &format!("required maxlength=\"{}\"", limits::SITE_NAME_MAX_LEN),
        },
    );
    let origins = text_area(
        lang,
        ("site-origins", "origins"),
        (Key::Origins, Key::OriginsHint),
        &form.origins,
        wrong(SiteField::Origins),
    );
    let privacy = pages::field(
        lang,
        &Field {
            id: "site-privacy_url",
            name: "privacy_url",
            label: Key::PrivacyUrl,
            kind: "url",
            value: &form.privacy_url,
            problem: wrong(SiteField::PrivacyUrl),
            attributes: &format!("maxlength=\"{}\"", limits::PRIVACY_URL_MAX_LEN),
        },
    );
    let retention = pages::field(
        lang,
        &Field {
            id: "site-retention_months",
            name: "retention_months",
            label: Key::RetentionMonths,
            kind: "number",
            value: &form.retention_months,
            problem: wrong(SiteField::RetentionMonths),
            attributes: &format!(
                "required min=\"1\" max=\"{}\" inputmode=\"numeric\"",
                limits::MAX_RETENTION_MONTHS
            ),
        },
    );
    let threshold = pages::field(
        lang,
        &Field {
            id: "site-report_threshold",
            name: "report_threshold",
            label: Key::ReportThreshold,
            kind: "number",
            value: &form.report_threshold,
            problem: wrong(SiteField::ReportThreshold),
            attributes: "required min=\"1\" inputmode=\"numeric\"",
        },
    );
    let words = text_area(
        lang,
        ("site-blocked_words", "blocked_words"),
        (Key::BlockedWords, Key::BlockedWordsHint),
        &form.blocked_words,
        wrong(SiteField::BlockedWords),
    );
    let actions: String = [
        (BlockedWordsAction::Reject, Key::ActionReject),
        (BlockedWordsAction::Review, Key::ActionReview),
    ]
    .iter()
    .map(|(action, key)| {
        let selected = if form.blocked_words_action == action.as_str() {
            " selected"
        } else {
            ""
        };
        format!(
            "<option value=\"{}\"{selected}>{}</option>",
            action.as_str(),
            lang.t(*key)
        )
    })
    .collect();
    let checked = if form.auto_threads.is_some() {
        " checked"
    } else {
        ""
    };
    pages::layout(
        lang,
        &title,
        &format!(
            "{said}<form method=\"post\" action=\"{action}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <fieldset><legend>{site_legend}</legend>{id}{name}{origins}{privacy}{retention}</fieldset>\
             <fieldset><legend>{comments_legend}</legend>{threshold}{words}\
             <label for=\"site-blocked_words_action\">{action_label}</label>\
             <select id=\"site-blocked_words_action\" name=\"blocked_words_action\">{actions}</select>\
             <div class=\"check\"><input type=\"checkbox\" id=\"site-auto_threads\" \
             name=\"auto_threads\" value=\"on\"{checked}>\
             <label for=\"site-auto_threads\">{auto_threads}</label></div></fieldset>\
             <div><button type=\"submit\">{save}</button></div></form>\
             <p><a href=\"/console\">{back}</a></p>",
            csrf = escape(&session.csrf),
            site_legend = lang.t(Key::SiteLegend),
            comments_legend = lang.t(Key::CommentsLegend),
            action_label = lang.t(Key::BlockedWordsAction),
            auto_threads = lang.t(Key::AutoThreads),
            save = lang.t(submit),
            back = lang.t(Key::BackToConsole),
        ),
    )
}

pub(crate) async fn settings(
    State(backend): State<Shared>,
    Path(site): Path<String>,
    Query(done): Query<Done>,
    Signed { session, lang }: Signed,
) -> Response {
    match backend.site(&session.member, &site).await {
        Ok(definition) => {
            let outcome = match done.done.as_deref() {
                Some("saved") => Outcome::Saved,
                Some("created") => Outcome::Created,
                _ => Outcome::Shown,
            };
            let form = SiteForm::of(&definition);
            page(
                StatusCode::OK,
                settings_page(lang, &session, Subject::Site(&site), &form, outcome),
            )
        }
        Err(refused) => refusal_page(lang, refused),
    }
}

pub(crate) async fn save(
    State(backend): State<Shared>,
    Path(site): Path<String>,
    Checked {
        session,
        lang,
        form,
    }: Checked<SiteForm>,
) -> Response {
    let saved = match form.site(&site) {
        Ok(input) => backend.save_site(&session.member, input).await,
        // A number that is not one is told only to those who may change the site.
        Err(field) => match backend.site(&session.member, &site).await {
            Ok(_) => Err(Refused::InvalidSite(field)),
            Err(refused) => Err(refused),
        },
    };
    let path = format!("/console/sites/{}/settings?done=saved", escape_path(&site));
    answer_save(lang, &session, Subject::Site(&site), &form, saved, &path)
}

/// After a save: to `then` when done; otherwise the form again, everything typed kept, with
/// what is wrong beside its field or with the failure when the endpoint could not save it
/// (other refusals have their own page).
fn answer_save(
    lang: Lang,
    session: &Session,
    subject: Subject,
    form: &SiteForm,
    saved: Result<(), Refused>,
    then: &str,
) -> Response {
    let (status, outcome) = match saved {
        Ok(()) => return Redirect::to(then).into_response(),
        Err(Refused::InvalidSite(field)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Outcome::Wrong(field))
        }
        Err(Refused::Taken) => (StatusCode::UNPROCESSABLE_ENTITY, Outcome::Taken),
        Err(Refused::Unavailable) => (StatusCode::SERVICE_UNAVAILABLE, Outcome::Failed),
        Err(refused) => return refusal_page(lang, refused),
    };
    page(status, settings_page(lang, session, subject, form, outcome))
}

/// The form of a new site, for the endpoint's administrators.
pub(crate) async fn new_site(
    State(backend): State<Shared>,
    Signed { session, lang }: Signed,
) -> Response {
    match backend.all_sites(&session.member).await {
        Ok(_) => page(
            StatusCode::OK,
            settings_page(
                lang,
                &session,
                Subject::New,
                &SiteForm::blank(),
                Outcome::Shown,
            ),
        ),
        Err(refused) => refusal_page(lang, refused),
    }
}

pub(crate) async fn create(
    State(backend): State<Shared>,
    Checked {
        session,
        lang,
        form,
    }: Checked<SiteForm>,
) -> Response {
    let id = form.id.trim().to_owned();
    let created = match form.site(&id) {
        Ok(input) => backend.create_site(&session.member, input).await,
        // A number that is not one is told only to those who may create sites.
        Err(field) => match backend.all_sites(&session.member).await {
            Ok(_) => Err(Refused::InvalidSite(field)),
            Err(refused) => Err(refused),
        },
    };
    let path = format!("/console/sites/{}/settings?done=created", escape_path(&id));
    answer_save(lang, &session, Subject::New, &form, created, &path)
}
