//! A site's widgets, for its staff: its polls, discussions and proposal boxes, each with
//! its open-data exports (CSV and JSON, without personal data).

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use civique_api::exports::{ExportFormat, SiteWidgets, WidgetKind};
use civique_api::PollStatus;

use crate::extract::Signed;
use crate::i18n::Key;
use crate::pages::{self, escape, escape_path};
use crate::{page, refusal_page, Lang, Refused, Shared};

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
fn table(
    lang: Lang,
    site: &str,
    (caption, count, none): (Key, Key, Key),
    lines: &[Line],
) -> String {
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
            format!(
                "<tr><td>{title}</td><td><code>{id}</code></td><td>{state}</td><td>{count}</td>\
                 <td>{csv} · {json}</td></tr>",
                title = escape(line.title),
                id = escape(line.id),
                state = lang.t(line.state),
                count = line.count,
                csv = link(ExportFormat::Csv, lang.t(Key::ExportCsv)),
                json = link(ExportFormat::Json, lang.t(Key::ExportJson)),
            )
        })
        .collect();
    format!(
        "<h2>{caption}</h2><table><caption>{caption}</caption><thead><tr>\
         <th scope=\"col\">{title}</th><th scope=\"col\">{id}</th><th scope=\"col\">{state}</th>\
         <th scope=\"col\">{count}</th><th scope=\"col\">{export}</th></tr></thead>\
         <tbody>{rows}</tbody></table>",
        caption = lang.t(caption),
        title = lang.t(Key::WidgetTitle),
        id = lang.t(Key::WidgetId),
        state = lang.t(Key::State),
        count = lang.t(count),
        export = lang.t(Key::OpenDataExport),
    )
}

fn widgets_page(lang: Lang, site: &str, widgets: &SiteWidgets) -> String {
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
            "<p>{intro}</p>{polls}{threads}{boxes}<p><a href=\"/console\">{back}</a></p>",
            intro = lang.t(Key::ExportsIntro),
            polls = table(lang, site, (Key::Polls, Key::Voters, Key::NoPoll), &polls),
            threads = table(
                lang,
                site,
                (Key::Threads, Key::Comments, Key::NoThread),
                &threads
            ),
            boxes = table(lang, site, (Key::Boxes, Key::Proposals, Key::NoBox), &boxes),
            back = lang.t(Key::BackToConsole),
        ),
    )
}

pub(crate) async fn widgets(
    State(backend): State<Shared>,
    Path(site): Path<String>,
    Signed { session, lang }: Signed,
) -> Response {
    match backend.site_widgets(&session.member, &site).await {
        Ok(widgets) => page(StatusCode::OK, widgets_page(lang, &site, &widgets)),
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
