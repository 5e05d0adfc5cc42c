//! The console's pages: plain HTML, no script, every form usable with the keyboard alone.

use civique_api::staff::{Role, SiteRole, WaitingComment, WaitingProposal};
use civique_api::{AuditAction, AuditEntry, CommentStatus};

use crate::i18n::{Key, Lang};
use crate::session::Session;
use crate::Refused;

pub const STYLESHEET: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:1rem/1.5 system-ui,sans-serif;color:#1e1e1e;background:#f6f6f6}\
.skip{position:absolute;left:-100vw}.skip:focus{left:1em;top:1em;padding:.5em;background:#fff}\
header{padding:.75em 1.5em;color:#fff;background:#000091}\
header p{margin:0;font-weight:bold}\
main{max-width:48em;margin:1.5em auto;padding:1.5em;background:#fff;border:1px solid #8a8a8a;border-radius:4px}\
h1{margin-top:0;font-size:1.6em}h2{font-size:1.2em}\
label{display:block;margin:1em 0 .25em;font-weight:bold}\
input{width:100%;max-width:24em;min-height:2.75em;padding:.5em;font:inherit;border:1px solid #555;border-radius:4px}\
button{min-height:2.75em;margin:1em .5em 0 0;padding:.5em 1.25em;font:inherit;font-weight:bold;color:#fff;\
background:#000091;border:2px solid #000091;border-radius:4px;cursor:pointer}\
button.quiet{color:#000091;background:#fff}\
form.inline{display:inline}\
:focus-visible{outline:3px solid #0a76f6;outline-offset:2px}\
.error{padding:.5em .75em;color:#c9191e;border-left:4px solid #c9191e;font-weight:bold}\
.notice{padding:.5em .75em;color:#18753c;border-left:4px solid #18753c;font-weight:bold}\
a{color:#000091}\
.queue{padding:0;list-style:none}.queue>li{margin:0 0 1.5em;padding:0 0 1em;border-bottom:1px solid #8a8a8a}\
blockquote{margin:.5em 0;padding:.25em 1em;border-left:4px solid #8a8a8a}\
select{min-height:2.75em;font:inherit}\
fieldset{margin:1.5em 0 0;padding:0 1em 1em;border:1px solid #8a8a8a;border-radius:4px}\
legend{padding:0 .25em;font-weight:bold}.hint{margin:0 0 .25em;color:#3a3a3a}\
.check{display:flex;gap:.5em;align-items:center;margin-top:1em}\
.check input{width:1.5em;min-height:1.5em;margin:0}.check label{margin:0;font-weight:normal}\
textarea{width:100%;padding:.5em;font:inherit;border:1px solid #555;border-radius:4px}\
table{width:100%;margin-top:1.5em;border-collapse:collapse}caption{text-align:left;font-weight:bold}\
th,td{padding:.25em .5em;text-align:left;border-bottom:1px solid #8a8a8a;vertical-align:top}\
@media (forced-colors:active){button{border:2px solid ButtonText}}\
";

/// `text` with `&`, `<`, `>`, `"` and `'` escaped for HTML.
pub fn escape(text: &str) -> String {
    text.chars()
        .fold(String::with_capacity(text.len()), |mut out, c| {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
            out
        })
}

/// `segment` percent-encoded for a URL path (site ids are ASCII letters, digits and `-_`,
/// but nothing else reaches a link unescaped).
pub fn escape_path(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// A whole page titled `title`, with `body` in its main region.
pub(crate) fn layout(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — {console}</title><link rel=\"stylesheet\" href=\"/console/console.css\"></head>\
         <body><a class=\"skip\" href=\"#main\">{skip}</a><header><p>{console}</p></header>\
         <main id=\"main\" tabindex=\"-1\"><h1>{title}</h1>{body}</main></body></html>",
        lang = lang.tag(),
        title = escape(title),
        console = lang.t(Key::Console),
        skip = lang.t(Key::SkipToContent),
    )
}

/// The sign-in page, with the address typed before and why it was refused.
pub fn login(lang: Lang, login: &str, refused: Option<Refused>) -> String {
    let problem = refused.map(|refused| match refused {
        Refused::WrongCredentials => Key::WrongCredentials,
        Refused::Locked => Key::Locked,
        Refused::Disabled => Key::Disabled,
        Refused::TooMany => Key::TooMany,
        Refused::Forbidden
        | Refused::AdminOnly
        | Refused::EndpointAdminOnly
        | Refused::BeyondSite
        | Refused::OwnAccount
        | Refused::NotFound
        | Refused::Invalid
        | Refused::InvalidSite(_)
        | Refused::Taken
        | Refused::Unavailable => Key::Unavailable,
    });
    login_with(
        lang,
        login,
        problem.map(|key| ("error", lang.t(key).to_owned())),
    )
}

/// The sign-in page after signing out, saying so.
pub fn signed_out(lang: Lang, key: Key, count: Option<u64>) -> String {
    let text = match count {
        Some(count) => format!("{}{count}.", lang.t(key)),
        None => lang.t(key).to_owned(),
    };
    login_with(lang, "", Some(("notice", text)))
}

/// The sign-in page with `login` filled in and `key` said (an account just made ready).
pub fn login_after(lang: Lang, login: &str, key: Key) -> String {
    login_with(lang, login, Some(("notice", lang.t(key).to_owned())))
}

/// A table captioned `caption`, with a header cell for each of `columns` and the `rows`
/// (HTML `<tr>`s).
pub fn table(lang: Lang, caption: Key, columns: &[Key], rows: &str) -> String {
    let head: String = columns
        .iter()
        .map(|key| format!("<th scope=\"col\">{}</th>", lang.t(*key)))
        .collect();
    format!(
        "<table><caption>{}</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>",
        lang.t(caption)
    )
}

/// A labelled input of a form, with the value typed and what is wrong with it.
pub struct Field<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub label: Key,
    /// The input's `type`.
    pub kind: &'a str,
    pub value: &'a str,
    pub problem: Option<Key>,
    /// Further attributes, as HTML (`required`, `autocomplete=…`).
    pub attributes: &'a str,
}

/// The error said above the input `id` (`problem`), and the attributes that tie the input
/// to it; both empty without a problem.
pub fn problem_of(lang: Lang, id: &str, problem: Option<Key>) -> (String, String) {
    problem.map_or((String::new(), String::new()), |key| {
        (
            format!("<p class=\"error\" id=\"{id}-problem\">{}</p>", lang.t(key)),
            format!(" aria-invalid=\"true\" aria-describedby=\"{id}-problem\""),
        )
    })
}

/// A field's label, its error (tied to the input) and its input.
pub fn field(lang: Lang, field: &Field) -> String {
    let (problem, described) = problem_of(lang, field.id, field.problem);
    format!(
        "<label for=\"{id}\">{label}</label>{problem}<input id=\"{id}\" name=\"{name}\" \
         type=\"{kind}\" value=\"{value}\" {attributes}{described}>",
        id = field.id,
        label = lang.t(field.label),
        name = field.name,
        kind = field.kind,
        value = escape(field.value),
        attributes = field.attributes,
    )
}

fn login_with(lang: Lang, login: &str, said: Option<(&str, String)>) -> String {
    let invalid = said.as_ref().is_some_and(|(class, _)| *class == "error");
    let described = if invalid {
        " aria-invalid=\"true\" aria-describedby=\"problem\""
    } else {
        ""
    };
    let said = said.map_or_else(String::new, |(class, text)| {
        let role = if class == "error" { "alert" } else { "status" };
        format!(
            "<p class=\"{class}\" id=\"problem\" role=\"{role}\">{}</p>",
            escape(&text)
        )
    });
    layout(
        lang,
        lang.t(Key::SignInTitle),
        &format!(
            "{said}<form method=\"post\" action=\"/console/login\">\
             <label for=\"login\">{login_label}</label>\
             <input id=\"login\" name=\"login\" type=\"email\" autocomplete=\"username\" required \
             value=\"{login}\"{described}>\
             <label for=\"password\">{password_label}</label>\
             <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" \
             required{described}>\
             <div><button type=\"submit\">{sign_in}</button></div></form>",
            login_label = lang.t(Key::Login),
            login = escape(login),
            password_label = lang.t(Key::Password),
            sign_in = lang.t(Key::SignIn),
        ),
    )
}

/// A page that only says `key`, with a way back.
pub fn message(lang: Lang, key: Key) -> String {
    layout(
        lang,
        lang.t(Key::Console),
        &format!(
            "<p class=\"error\" role=\"alert\">{}</p><p><a href=\"/console\">{}</a></p>",
            lang.t(key),
            lang.t(Key::BackToConsole)
        ),
    )
}

/// A form that posts only the session's CSRF token to `action`.
fn action_form(action: &str, csrf: &str, label: &str, class: &str) -> String {
    format!(
        "<form class=\"inline\" method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\" class=\"{class}\">{label}</button></form>",
        csrf = escape(csrf),
    )
}

/// The signed-in staff member's home: who they are, their sites and roles (`roles`: every
/// site for the endpoint's administrators) with what waits for moderation on each
/// (`waiting`, in the same order), signing out.
pub fn home(lang: Lang, session: &Session, roles: &[SiteRole], waiting: &[usize]) -> String {
    let member = &session.member;
    let mut sites = String::new();
    if member.endpoint_admin {
        sites.push_str(&format!(
            "<p>{} <a href=\"/console/sites/new\">{}</a></p>",
            lang.t(Key::EndpointAdmin),
            lang.t(Key::CreateSiteLink)
        ));
    }
    if roles.is_empty() {
        if !member.endpoint_admin {
            sites.push_str(&format!("<p>{}</p>", lang.t(Key::NoSite)));
        }
    } else {
        sites.push_str("<ul>");
        for (site, waiting) in roles.iter().zip(waiting) {
            let role = match site.role {
                Role::Admin => Key::RoleAdmin,
                Role::Moderator => Key::RoleModerator,
            };
            let path = escape_path(&site.site_id);
            let audit = if site.role == Role::Admin {
                format!(
                    " · <a href=\"/console/sites/{path}/settings\">{}</a> · \
                     <a href=\"/console/sites/{path}/staff\">{}</a> · \
                     <a href=\"/console/sites/{path}/tokens\">{}</a> · \
                     <a href=\"/console/sites/{path}/audit\">{}</a>",
                    lang.t(Key::Settings),
                    lang.t(Key::Team),
                    lang.t(Key::Tokens),
                    lang.t(Key::Audit)
                )
            } else {
                String::new()
            };
            sites.push_str(&format!(
                "<li><strong>{}</strong> : {} — <a href=\"/console/sites/{path}/review\">{} ({waiting})</a> · \
                 <a href=\"/console/sites/{path}/unanswered\">{}</a> · \
                 <a href=\"/console/sites/{path}/widgets\">{}</a>{audit}</li>",
                escape(&site.site_id),
                lang.t(role),
                lang.t(Key::Review),
                lang.t(Key::Unanswered),
                lang.t(Key::Widgets),
            ));
        }
        sites.push_str("</ul>");
    }
    layout(
        lang,
        lang.t(Key::HomeTitle),
        &format!(
            "<p>{signed_in_as} <strong>{name}</strong> ({login}).</p>\
             <h2>{your_sites}</h2>{sites}<h2>{session_title}</h2><div>{sign_out}{everywhere}</div>",
            signed_in_as = lang.t(Key::SignedInAs),
            name = escape(&member.name),
            login = escape(&member.login),
            your_sites = lang.t(Key::YourSites),
            session_title = lang.t(Key::Session),
            sign_out = action_form("/console/logout", &session.csrf, lang.t(Key::SignOut), ""),
            everywhere = action_form(
                "/console/logout-all",
                &session.csrf,
                lang.t(Key::SignOutEverywhere),
                "quiet"
            ),
        ),
    )
}

/// The start of a comment's card: its discussion as heading, `state` before its author and
/// date, `context` (the comment it answers), its text.
fn comment_head(lang: Lang, comment: &WaitingComment, state: &str, context: &str) -> String {
    format!(
        "<li><article aria-labelledby=\"c{id}\"><h2 id=\"c{id}\">{title}</h2>\
         <p>{state}{by} <strong>{author}</strong> · <time datetime=\"{at}\">{at}</time></p>\
         {context}<blockquote>{text}</blockquote>",
        id = comment.id,
        title = escape(&comment.thread_title),
        by = lang.t(Key::By),
        author = escape(&comment.author_name),
        at = escape(&comment.created_at),
        text = escape(&comment.text),
    )
}

/// The proposals of `site` held for review, each with its box and its actions (empty when
/// there are none).
fn waiting_proposals(
    lang: Lang,
    session: &Session,
    site: &str,
    proposals: &[WaitingProposal],
) -> String {
    if proposals.is_empty() {
        return String::new();
    }
    let items: String = proposals
        .iter()
        .map(|p| {
            let details: String = [
                (Key::Category, p.category.as_deref()),
                (Key::Place, p.place.as_deref()),
            ]
            .iter()
            .filter_map(|(key, value)| {
                value.map(|value| format!("<p>{} : {}</p>", lang.t(*key), escape(value)))
            })
            .collect();
            let text = if p.text.is_empty() {
                String::new()
            } else {
                format!("<blockquote>{}</blockquote>", escape(&p.text))
            };
            let reason_id = format!("proposal-reason-{}", p.id);
            format!(
                "<li><article aria-labelledby=\"p{id}\"><h3 id=\"p{id}\">{title}</h3>\
                 <p>{in_box} {box_title} · <time datetime=\"{at}\">{at}</time></p>{details}{text}\
                 <form method=\"post\" action=\"/console/sites/{site_path}/review/proposals/{id}\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <label for=\"{reason_id}\">{reason_label}</label>\
                 <input id=\"{reason_id}\" name=\"reason\" maxlength=\"{reason_max}\">\
                 <div><button type=\"submit\" name=\"action\" value=\"approve\">{approve}</button>\
                 <button type=\"submit\" name=\"action\" value=\"hide\">{hide}</button></div>\
                 </form></article></li>",
                id = p.id,
                title = escape(&p.title),
                in_box = lang.t(Key::InBox),
                box_title = escape(&p.box_title),
                at = escape(&p.created_at),
                site_path = escape_path(site),
                csrf = escape(&session.csrf),
                reason_label = lang.t(Key::PublicReason),
                reason_max = civique_api::comments::limits::REMOVAL_REASON_MAX_LEN,
                approve = lang.t(Key::Approve),
                hide = lang.t(Key::Hide),
            )
        })
        .collect();
    format!(
        "<h2>{}</h2><ol class=\"queue\">{items}</ol>",
        lang.t(Key::WaitingProposals)
    )
}

/// The comments and proposals of `site` waiting for staff, each with its context and its
/// actions.
pub fn review(
    lang: Lang,
    session: &Session,
    site: &str,
    (waiting, proposals): (&[WaitingComment], &[WaitingProposal]),
    done: Option<&str>,
) -> String {
    let notice = done
        .and_then(|done| match done {
            "approve" => Some(Key::DoneApprove),
            "hide" => Some(Key::DoneHide),
            "restore" => Some(Key::DoneRestore),
            "delete" => Some(Key::DoneDelete),
            "proposal-approve" => Some(Key::DoneProposalApprove),
            "proposal-hide" => Some(Key::DoneProposalHide),
            _ => None,
        })
        .map_or_else(String::new, |key| {
            format!("<p class=\"notice\" role=\"status\">{}</p>", lang.t(key))
        });
    let mut items = String::new();
    for comment in waiting {
        let state = if comment.status == CommentStatus::Pending {
            lang.t(Key::Pending).to_owned()
        } else {
            format!("{}{}", lang.t(Key::Reported), comment.report_count)
        };
        let parent = comment
            .parent_text
            .as_ref()
            .map_or_else(String::new, |text| {
                format!(
                    "<p>{}</p><blockquote>{}</blockquote>",
                    lang.t(Key::InReplyTo),
                    escape(text)
                )
            });
        let reasons = if comment.reasons.is_empty() {
            String::new()
        } else {
            let list: String = comment
                .reasons
                .iter()
                .map(|r| format!("<li>{}</li>", escape(r)))
                .collect();
            format!("<p>{}</p><ul>{list}</ul>", lang.t(Key::ReportReasons))
        };
        let publish = match comment.status {
            CommentStatus::Pending => ("approve", Key::Approve),
            CommentStatus::Hidden => ("restore", Key::Restore),
            _ => ("approve", Key::KeepPublished),
        };
        let reason_id = format!("reason-{}", comment.id);
        let button = |action: &str, key: Key| {
            format!(
                "<button type=\"submit\" name=\"action\" value=\"{action}\">{}</button>",
                lang.t(key)
            )
        };
        items.push_str(&format!(
            "{head}{reasons}<form method=\"post\" action=\"/console/sites/{site_path}/review/{id}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label for=\"{reason_id}\">{reason_label}</label>\
             <input id=\"{reason_id}\" name=\"reason\" maxlength=\"{reason_max}\">\
             <div>{publish}{hide}{delete}</div></form></article></li>",
            head = comment_head(lang, comment, &format!("{state} · "), &parent),
            id = comment.id,
            site_path = escape_path(site),
            csrf = escape(&session.csrf),
            reason_label = lang.t(Key::PublicReason),
            reason_max = civique_api::comments::limits::REMOVAL_REASON_MAX_LEN,
            publish = button(publish.0, publish.1),
            hide = if comment.status == CommentStatus::Hidden {
                String::new()
            } else {
                button("hide", Key::Hide)
            },
            delete = button("delete", Key::Delete),
        ));
    }
    let proposals = waiting_proposals(lang, session, site, proposals);
    let body = match (waiting.is_empty(), proposals.is_empty()) {
        (true, true) => format!("{notice}<p>{}</p>", lang.t(Key::NothingWaiting)),
        (true, false) => format!("{notice}{proposals}"),
        (false, _) => format!("{notice}<ol class=\"queue\">{items}</ol>{proposals}"),
    };
    layout(
        lang,
        &format!("{}{site}", lang.t(Key::ReviewOf)),
        &format!(
            "{body}<p><a href=\"/console\">{}</a></p>",
            lang.t(Key::BackToConsole)
        ),
    )
}

/// The audit log of `site`, with its filter form (by actor, by action).
pub fn audit(
    lang: Lang,
    site: &str,
    entries: &[AuditEntry],
    actor: &str,
    action: Option<AuditAction>,
) -> String {
    let options: String = AuditAction::ALL
        .iter()
        .map(|a| {
            let selected = if Some(*a) == action { " selected" } else { "" };
            format!("<option{selected}>{}</option>", a.as_str())
        })
        .collect();
    let filter = format!(
        "<form method=\"get\"><label for=\"actor\">{actor_label}</label>\
         <input id=\"actor\" name=\"actor\" value=\"{actor}\">\
         <label for=\"action\">{action_label}</label>\
         <select id=\"action\" name=\"action\"><option value=\"\">{any}</option>{options}</select>\
         <div><button type=\"submit\">{filter}</button></div></form>",
        actor_label = lang.t(Key::Actor),
        actor = escape(actor),
        action_label = lang.t(Key::Action),
        any = lang.t(Key::AnyAction),
        filter = lang.t(Key::Filter),
    );
    let table = if entries.is_empty() {
        format!("<p>{}</p>", lang.t(Key::NoEntry))
    } else {
        let rows: String = entries
            .iter()
            .map(|e| {
                format!(
                    "<tr><td><time datetime=\"{at}\">{at}</time></td><td>{actor}</td><td>{action}</td>\
                     <td>{target}</td><td>{reason}</td></tr>",
                    at = escape(&e.at),
                    actor = escape(&e.actor),
                    action = e.action.as_str(),
                    target = escape(&e.target),
                    reason = escape(e.reason.as_deref().unwrap_or("")),
                )
            })
            .collect();
        let columns = [Key::When, Key::Actor, Key::Action, Key::Target, Key::Reason];
        table(lang, Key::Audit, &columns, &rows)
    };
    layout(
        lang,
        &format!("{}{site}", lang.t(Key::AuditOf)),
        &format!(
            "{filter}{table}<p><a href=\"/console\">{}</a></p>",
            lang.t(Key::BackToConsole)
        ),
    )
}

/// What the unanswered page shows.
pub struct Unanswered<'a> {
    pub site: &'a str,
    pub hours: u32,
    pub waiting: &'a [WaitingComment],
    /// A refused answer: the comment's id and the text typed, kept in its form.
    pub draft: Option<(i64, &'a str)>,
    /// An answer was just published.
    pub done: bool,
}

/// The residents' comments of a site waiting for an official answer, each with its form.
pub fn unanswered(lang: Lang, session: &Session, view: &Unanswered) -> String {
    let site_path = escape_path(view.site);
    let mut items = String::new();
    for comment in view.waiting {
        let draft = view.draft.filter(|(id, _)| *id == comment.id);
        let refused = draft.map_or_else(String::new, |_| {
            format!(
                "<p class=\"error\" id=\"problem-{}\" role=\"alert\">{}</p>",
                comment.id,
                lang.t(Key::ReplyRefused)
            )
        });
        let described = if draft.is_some() {
            format!(
                " aria-invalid=\"true\" aria-describedby=\"problem-{}\"",
                comment.id
            )
        } else {
            String::new()
        };
        items.push_str(&format!(
            "{head}{refused}<form method=\"post\" action=\"/console/sites/{site_path}/unanswered/{id}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"hours\" value=\"{hours}\">\
             <label for=\"reply-{id}\">{label}</label>\
             <textarea id=\"reply-{id}\" name=\"text\" rows=\"4\" required{described}>{typed}</textarea>\
             <div><button type=\"submit\">{send}</button></div></form></article></li>",
            head = comment_head(lang, comment, "", ""),
            id = comment.id,
            csrf = escape(&session.csrf),
            hours = view.hours,
            label = lang.t(Key::OfficialReply),
            typed = escape(draft.map_or("", |(_, text)| text)),
            send = lang.t(Key::SendReply),
        ));
    }
    let notice = if view.done {
        format!(
            "<p class=\"notice\" role=\"status\">{}</p>",
            lang.t(Key::DoneReply)
        )
    } else {
        String::new()
    };
    let filter = format!(
        "<form method=\"get\"><label for=\"hours\">{label}</label>\
         <input id=\"hours\" name=\"hours\" type=\"number\" min=\"0\" max=\"8760\" value=\"{hours}\">\
         <div><button type=\"submit\">{show}</button></div></form>",
        label = lang.t(Key::Hours),
        hours = view.hours,
        show = lang.t(Key::Show),
    );
    let list = if view.waiting.is_empty() {
        format!("<p>{}</p>", lang.t(Key::NothingUnanswered))
    } else {
        format!("<ol class=\"queue\">{items}</ol>")
    };
    layout(
        lang,
        &format!("{}{}", lang.t(Key::UnansweredOf), view.site),
        &format!(
            "{notice}<p>{intro}{hours} h.</p>{filter}{list}<p><a href=\"/console\">{back}</a></p>",
            intro = lang.t(Key::UnansweredFor),
            hours = view.hours,
            back = lang.t(Key::BackToConsole),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_are_escaped_and_a_refusal_is_an_alert_tied_to_the_fields() {
        let page = login(
            Lang::Fr,
            "\"><script>x</script>",
            Some(Refused::WrongCredentials),
        );
        assert!(!page.contains("<script>"));
        assert!(page.contains("value=\"&quot;&gt;&lt;script&gt;"));
        assert!(page.contains("role=\"alert\">Adresse e-mail ou mot de passe incorrect.</p>"));
        assert!(page.contains("aria-describedby=\"problem\""));
        assert!(page.starts_with("<!doctype html><html lang=\"fr\">"));
        let fresh = login(Lang::En, "", None);
        assert!(!fresh.contains("aria-invalid") && fresh.contains("<html lang=\"en\">"));
    }
}
