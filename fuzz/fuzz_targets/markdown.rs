//! Residents' Markdown, rendered and sanitized: whatever the source, the HTML holds only the
//! allowed tags, links only to http, https or mailto with the fixed `rel`, and no other
//! attribute.

#![no_main]

use civique_server::domain::markdown::render;
use libfuzzer_sys::fuzz_target;

const TAGS: &[&str] = &["p", "em", "strong", "a", "ul", "ol", "li", "br"];
const SCHEMES: &[&str] = &["http://", "https://", "mailto:"];

fuzz_target!(|text: &str| {
    let (html, links) = render(text);
    let mut rest = html.as_str();
    let mut anchors = 0;
    while let Some(at) = rest.find('<') {
        let (name, attributes, after) = tag(&rest[at + 1..], &html);
        assert!(TAGS.contains(&name), "<{name}> in {html:?}");
        if name == "a" && !attributes.is_empty() {
            anchors += 1;
        }
        for (key, value) in attributes {
            assert_eq!(name, "a", "attribute {key} on <{name}> in {html:?}");
            match key {
                "href" => assert!(
                    SCHEMES.iter().any(|scheme| value.starts_with(scheme)),
                    "href {value:?} in {html:?}"
                ),
                "rel" => assert_eq!(value, "nofollow ugc noopener"),
                other => panic!("attribute {other} in {html:?}"),
            }
        }
        rest = after;
    }
    // Every link drawn was counted against the limit of links.
    assert!(
        anchors <= links,
        "{anchors} links drawn, {links} counted: {html:?}"
    );
});

/// The tag at the start of `text` (just after its `<`): its name (without the `/` of a
/// closing tag), its attributes, and what follows its `>`.
fn tag<'a>(text: &'a str, html: &str) -> (&'a str, Vec<(&'a str, &'a str)>, &'a str) {
    let text = text.strip_prefix('/').unwrap_or(text);
    let name_end = text
        .find(|c: char| c == ' ' || c == '>')
        .unwrap_or_else(|| panic!("unclosed tag in {html:?}"));
    let name = &text[..name_end];
    let mut rest = &text[name_end..];
    let mut attributes = Vec::new();
    loop {
        rest = rest.trim_start_matches(' ');
        if let Some(after) = rest.strip_prefix('>') {
            return (name, attributes, after);
        }
        let (key, value) = rest
            .split_once("=\"")
            .unwrap_or_else(|| panic!("attribute without a quoted value in {html:?}"));
        let (value, after) = value
            .split_once('"')
            .unwrap_or_else(|| panic!("unterminated attribute in {html:?}"));
        attributes.push((key, value));
        rest = after;
    }
}
