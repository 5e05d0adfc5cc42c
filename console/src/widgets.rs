//! A site's widgets, for its staff: its polls, discussions and proposal boxes, each with
//! its embedding code and its open-data exports (CSV and JSON, without personal data); its
//! administrators close and reopen them.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use civique_api::exports::{ExportFormat, SiteWidgets, WidgetKind};
use civique_api::staff::Role;
use civique_api::PollStatus;
use serde::Deserialize;

use crate::extract::{with_csrf, Checked, Signed};
use crate::i18n::Key;
use crate::pages::{self, escape, escape_path};
use crate::session::{self, Session};
use crate::team::Done;
use crate::{page, refusal_page, Lang, Refused, Shared};

/// What the widgets page needs beside the widgets: who looks, and the endpoint's address
/// for the embedding code.
struct View<'a> {
    lang: Lang,
    session: &'a Session,
    site: &'a str,
    base: &'a str,
}

impl View<'_> {
    fn admin(&self) -> bool {
        let member = &self.session.member;
        member.endpoint_admin
            || member
                .sites
                .iter()
                .any(|role| role.site_id == self.site && role.role == Role::Admin)
    }
}

/// The custom element and the `data-` attribute of a widget kind.
fn embed_names(kind: WidgetKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        WidgetKind::Poll => ("civique-poll", "poll", "data-civique-poll"),
        WidgetKind::Thread => ("civique-comments", "thread", "data-civique-comments"),
        WidgetKind::Box => ("civique-proposals", "box", "data-civique-proposals"),
    }
}

/// The code that shows widget `line` on a page of the town's website: the loader and the
/// element, or the `div` for a CMS that strips unknown tags.
fn embed_code(view: &View, line: &Line) -> String {
    let (element, attribute, data) = embed_names(line.kind);
    let code = format!(
        "<script type=\"module\" src=\"{base}/civique.js\"></script>\n\
         <{element} {attribute}=\"{id}\"></{element}>\n\n\
         <!-- {div} -->\n<div {data}=\"{id}\"></div>",
        base = view.base,
        id = line.id,
        div = view.lang.t(Key::EmbedDiv),
    );
    let field = format!("embed-{}-{}", line.kind.as_str(), escape_path(line.id));
    format!(
        "<details><summary>{summary}</summary>\
         <label for=\"{field}\">{label} : {title}</label>\
         <textarea id=\"{field}\" readonly rows=\"5\">{code}</textarea></details>",
        summary = view.lang.t(Key::EmbedCode),
        title = escape(line.title),
        label = view.lang.t(Key::EmbedLabel),
        code = escape(&code),
    )
}

/// The form that closes (or locks) widget `line`, or reopens (unlocks) it.
fn open_form(view: &View, line: &Line) -> String {
    let (action, label) = match (line.kind, line.state) {
        (WidgetKind::Thread, Key::ThreadLocked) => ("reopen", Key::Unlock),
        (WidgetKind::Thread, _) => ("close", Key::Lock),
        (_, Key::StatusClosed) => ("reopen", Key::Reopen),
        _ => ("close", Key::CloseNow),
    };
    format!(
        "<form class=\"inline\" method=\"post\" \
         action=\"/console/sites/{site}/widgets/{kind}/{id}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\" class=\"quiet\" name=\"action\" value=\"{action}\" \
         aria-label=\"{label} : {title}\">{label}</button></form>",
        site = escape_path(view.site),
        kind = line.kind.as_str(),
        id = escape_path(line.id),
        csrf = escape(&view.session.csrf),
        label = view.lang.t(label),
        title = escape(line.title),
    )
}

/// One widget's line: its kind, id, title, state and count.
struct Line<'a> {
    kind: WidgetKind,
    id: &'a str,
    title: &'a str,
    state: Key,
    count: u64,
}

fn status_key(status: PollStatus) -> Key {
    match status {
        PollStatus::Upcoming => Key::StatusUpcoming,
        PollStatus::Open => Key::StatusOpen,
        PollStatus::Closed => Key::StatusClosed,
    }
}

/// A table of `lines` captioned `caption` (with `count` the header of their counts), or
/// `none` when there are none.
fn table(view: &View, (caption, count, none): (Key, Key, Key), lines: &[Line]) -> String {
    let (lang, site) = (view.lang, view.site);
    if lines.is_empty() {
        return format!("<h2>{}</h2><p>{}</p>", lang.t(caption), lang.t(none));
    }
    let rows: String = lines
        .iter()
        .map(|line| {
            let link = |format: ExportFormat, label: &str| {
                format!(
                    "<a href=\"/console/sites/{site}/exports/{kind}/{id}.{ext}\" \
                     aria-label=\"{label} : {title}\">{label}</a>",
                    site = escape_path(site),
                    kind = line.kind.as_str(),
                    id = escape_path(line.id),
                    ext = format.as_str(),
                    title = escape(line.title),
                )
            };
            let act = if view.admin() {
                format!("<td>{}</td>", open_form(view, line))
            } else {
                String::new()
            };
            format!(
                "<tr><td>{title}{embed}</td><td><code>{id}</code></td><td>{state}</td>\
                 <td>{count}</td><td>{csv} · {json}</td>{act}</tr>",
                title = match line.kind {
                    // A box's proposals, their statuses and answers are on its own page.
                    WidgetKind::Box => format!(
                        "<a href=\"/console/sites/{}/boxes/{}\">{}</a>",
                        escape_path(site),
                        escape_path(line.id),
                        escape(line.title)
                    ),
                    _ => escape(line.title),
                },
                embed = embed_code(view, line),
                id = escape(line.id),
                state = lang.t(line.state),
                count = line.count,
                csv = link(ExportFormat::Csv, lang.t(Key::ExportCsv)),
                json = link(ExportFormat::Json, lang.t(Key::ExportJson)),
            )
        })
        .collect();
    let mut columns = vec![
        Key::WidgetTitle,
        Key::WidgetId,
        Key::State,
        count,
        Key::OpenDataExport,
    ];
    if view.admin() {
        columns.push(Key::Action);
    }
    format!(
        "<h2>{}</h2>{}",
        lang.t(caption),
        pages::table(lang, caption, &columns, &rows)
    )
}

fn widgets_page(view: &View, widgets: &SiteWidgets, done: Option<Key>) -> String {
    let (lang, site) = (view.lang, view.site);
    let polls: Vec<Line> = widgets
        .polls
        .iter()
        .map(|p| Line {
            kind: WidgetKind::Poll,
            id: &p.id,
            title: &p.question,
            state: status_key(p.status),
            count: p.results.as_ref().map_or(0, |r| r.voters),
        })
        .collect();
    let threads: Vec<Line> = widgets
        .threads
        .iter()
        .map(|t| Line {
            kind: WidgetKind::Thread,
            id: &t.id,
            title: &t.title,
            state: if t.locked {
                Key::ThreadLocked
            } else {
                Key::StatusOpen
            },
            count: t.count,
        })
        .collect();
    let boxes: Vec<Line> = widgets
        .boxes
        .iter()
        .map(|b| Line {
            kind: WidgetKind::Box,
            id: &b.id,
            title: &b.title,
            state: status_key(b.status),
            count: b.count,
        })
        .collect();
    pages::layout(
        lang,
        &format!("{}{site}", lang.t(Key::WidgetsOf)),
        &format!(
            "{said}<p>{intro}</p>{polls}{threads}{boxes}<p><a href=\"/console\">{back}</a></p>",
            said = done.map_or_else(String::new, |key| format!(
                "<p class=\"notice\" role=\"status\">{}</p>",
                lang.t(key)
            )),
            intro = lang.t(Key::ExportsIntro),
            polls = table(view, (Key::Polls, Key::Voters, Key::NoPoll), &polls),
            threads = table(view, (Key::Threads, Key::Comments, Key::NoThread), &threads),
            boxes = table(view, (Key::Boxes, Key::Proposals, Key::NoBox), &boxes),
            back = lang.t(Key::BackToConsole),
        ),
    )
}

pub(crate) async fn widgets(
    State(backend): State<Shared>,
    Path(site): Path<String>,
    Query(done): Query<Done>,
    headers: HeaderMap,
    Signed { session, lang }: Signed,
) -> Response {
    let done = match done.done.as_deref() {
        Some("close") => Some(Key::DoneClose),
        Some("reopen") => Some(Key::DoneReopen),
        _ => None,
    };
    match backend.site_widgets(&session.member, &site).await {
        Ok(widgets) => {
            let base = session::base_url(&headers);
            let view = View {
                lang,
                session: &session,
                site: &site,
                base: &base,
            };
            page(StatusCode::OK, widgets_page(&view, &widgets, done))
        }
        Err(refused) => refusal_page(lang, refused),
    }
}

#[derive(Deserialize)]
pub(crate) struct OpenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
}

with_csrf!(OpenForm);

/// Closes (locks) or reopens (unlocks) a widget, as one of the site's administrators.
pub(crate) async fn set_open(
    State(backend): State<Shared>,
    Path((site, kind, id)): Path<(String, String, String)>,
    Checked {
        session,
        lang,
        form,
    }: Checked<OpenForm>,
) -> Response {
    let open = match form.action.as_str() {
        "close" => false,
        "reopen" => true,
        _ => return refusal_page(lang, Refused::Invalid),
    };
    let Ok(kind) = kind.parse::<WidgetKind>() else {
        return refusal_page(lang, Refused::NotFound);
    };
    match backend
        .set_widget_open(&session.member, &site, kind, &id, open)
        .await
    {
        Ok(()) => Redirect::to(&format!(
            "/console/sites/{}/widgets?done={}",
            escape_path(&site),
            form.action
        ))
        .into_response(),
        Err(refused) => refusal_page(lang, refused),
    }
}

/// `ID.csv` or `ID.json`: the widget's export as a file to download.
pub(crate) async fn export(
    State(backend): State<Shared>,
    Path((site, kind, file)): Path<(String, String, String)>,
    Signed { session, lang }: Signed,
) -> Response {
    let asked = file.rsplit_once('.').and_then(|(id, ext)| {
        let kind = kind.parse::<WidgetKind>().ok()?;
        Some((kind, id, ext.parse::<ExportFormat>().ok()?))
    });
    let Some((kind, id, format)) = asked else {
        return refusal_page(lang, Refused::NotFound);
    };
    match backend
        .export(&session.member, &site, kind, id, format)
        .await
    {
        Ok(body) => {
            let content_type = match format {
                ExportFormat::Csv => "text/csv; charset=utf-8",
                ExportFormat::Json => "application/json",
            };
            let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
            let headers = response.headers_mut();
            // The id is a widget's, checked by the endpoint: letters, digits and hyphens.
            let disposition = format!(
                "attachment; filename=\"{}-{}.{}\"",
                kind.as_str(),
                escape_path(id),
                format.as_str()
            );
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(refused) => refusal_page(lang, refused),
    }
}
