//! Open-data exports as files (`docs/exports.md`): JSON as the API writes it, and CSV
//! (UTF-8, comma-separated, one header line, RFC 4180 quoting).

use civique_api::exports::{BoxExport, PollExport, ThreadExport};

/// Schema names, written in every JSON export.
pub const POLL_SCHEMA: &str = "civique-poll/1";
pub const THREAD_SCHEMA: &str = "civique-thread/1";
pub const BOX_SCHEMA: &str = "civique-box/1";

/// One CSV cell: quoted when it holds a comma, a quote or a line break; a text starting
/// like a spreadsheet formula (`=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed
/// with `'` so that opening the file never runs what a resident wrote.
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A CSV file of `header` and `rows`, lines ended with CRLF.
fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = header.join(",");
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row.iter().map(|text| cell(text)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

fn optional(value: Option<impl ToString>) -> String {
    value.map_or_else(String::new, |value| value.to_string())
}

/// One line an option: its votes beside the poll's voters.
pub fn poll_csv(poll: &PollExport) -> String {
    let header = [
        "poll_id",
        "question",
        "option_id",
        "option",
        "votes",
        "voters",
    ];
    csv(
        &header,
        poll.options.iter().map(|option| {
            vec![
                poll.id.clone(),
                poll.question.clone(),
                option.id.to_string(),
                option.label.clone(),
                option.votes.to_string(),
                poll.voters.to_string(),
            ]
        }),
    )
}

/// One line a published comment, oldest first.
pub fn thread_csv(thread: &ThreadExport) -> String {
    let header = [
        "comment_id",
        "parent_id",
        "created_at",
        "edited_at",
        "official",
        "useful",
        "text",
    ];
    csv(
        &header,
        thread.comments.iter().map(|comment| {
            vec![
                comment.id.to_string(),
                optional(comment.parent_id),
                comment.created_at.clone(),
                optional(comment.edited_at.as_ref()),
                comment.official.to_string(),
                comment.useful.to_string(),
                comment.text.clone(),
            ]
        }),
    )
}

/// One line a published proposal, oldest first.
pub fn box_csv(b: &BoxExport) -> String {
    let header = [
        "proposal_id",
        "created_at",
        "title",
        "text",
        "category",
        "place",
        "status",
        "duplicate_of",
        "answer",
        "answered_at",
        "supports",
    ];
    csv(
        &header,
        b.proposals.iter().map(|p| {
            vec![
                p.id.to_string(),
                p.created_at.clone(),
                p.title.clone(),
                p.text.clone(),
                optional(p.category.as_ref()),
                optional(p.place.as_ref()),
                p.status.as_str().to_owned(),
                optional(p.duplicate_of),
                optional(p.answer.as_ref()),
                optional(p.answered_at.as_ref()),
                p.supports.to_string(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_when_they_must_be_and_formulas_are_defused() {
        assert_eq!(cell("Mairie"), "Mairie");
        assert_eq!(cell("oui, mais"), "\"oui, mais\"");
        assert_eq!(cell("le \"parc\""), "\"le \"\"parc\"\"\"");
        assert_eq!(cell("deux\nlignes"), "\"deux\nlignes\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@moi"), "'@moi");
    }

    #[test]
    fn a_file_has_its_header_then_one_line_a_row() {
        let rows = vec![vec!["1".to_owned(), "a, b".to_owned()]].into_iter();
        assert_eq!(csv(&["id", "text"], rows), "id,text\r\n1,\"a, b\"\r\n");
    }
}
