//! Residents' Markdown: a small CommonMark subset rendered to sanitized HTML on the endpoint.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use civique_api::comments::limits;
use pulldown_cmark::{Event, Options, Parser, Tag};

use super::Error;

/// Checks Markdown that may be empty (at most `max_chars` characters and
/// [`limits::MAX_LINKS`] links) and renders it; returns (trimmed source, sanitized html).
pub fn check_markdown(text: &str, max_chars: usize) -> Result<(String, String), Error> {
    let text = text.trim();
    if text.chars().count() > max_chars {
        return Err(Error::TextTooLong);
    }
    let (html, links) = render(text);
    if links > limits::MAX_LINKS {
        return Err(Error::TooManyLinks);
    }
    Ok((text.to_owned(), html))
}

/// The HTML allow-list; everything else is removed by ammonia (text kept, scripts dropped).
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(HashSet::from([
            "p", "em", "strong", "a", "ul", "ol", "li", "br",
        ]))
        .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
        .generic_attributes(HashSet::new())
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("nofollow ugc noopener"));
    builder
});

/// Markdown (CommonMark without extensions) to sanitized HTML, and the number of links.
/// Raw HTML in the source becomes text, so it is shown escaped, never interpreted.
pub fn render(text: &str) -> (String, usize) {
    let mut links = 0;
    let events = Parser::new_ext(text, Options::empty()).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { .. }) => {
            links += 1;
            event
        }
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    (SANITIZER.clean(&html).to_string(), links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_subset_renders_and_raw_html_is_escaped() {
        let (html, links) =
            render("Hello *you* and **all**\n\n- [a](https://a.example)\n- b\n\n<b>x</b>");
        assert!(html.contains("<em>you</em>") && html.contains("<strong>all</strong>"));
        assert!(html.contains("<a href=\"https://a.example\" rel=\"nofollow ugc noopener\">a</a>"));
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"), "{html}");
        assert_eq!(links, 1);
        let (html, _) = render("# Title\n\n`code` [x](javascript:alert(1))");
        assert!(!html.contains("<h1") && !html.contains("<code") && !html.contains("javascript"));
    }
}
