//! Browser tests of the comment thread widget: markup from fixtures, drafts, live buttons.
#![cfg(target_arch = "wasm32")]

use civique::client::{comment_page, parse_json, thread_view};
use civique::comments::{draft_key, Actions, CommentsCard, Composer, Editor, Target, ThreadState};
use civique::i18n::Lang;
use civique_api::comments::{CommentPage, ThreadView};
use leptos::callback::Callback;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Element, HtmlElement, HtmlTextAreaElement, ShadowRoot, ShadowRootInit, ShadowRootMode,
};

wasm_bindgen_test_configure!(run_in_browser);

const ENDPOINT: &str = "http://127.0.0.1:9/";

fn shadow_root() -> ShadowRoot {
    let document = document();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap()
}

fn find(root: &ShadowRoot, selector: &str) -> Option<Element> {
    root.query_selector(selector).unwrap()
}

fn text(root: &ShadowRoot, selector: &str) -> String {
    find(root, selector)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn iso(minutes_ago: f64) -> String {
    let date = js_sys::Date::new(&(js_sys::Date::now() - minutes_ago * 60_000.0).into());
    date.to_iso_string().into()
}

fn thread(locked: bool) -> ThreadView {
    let json = format!(
        r#"{{"id":"t1","site_id":"s","title":"Travaux","pre_moderation":false,"max_depth":3,"locked":{locked},"count":4}}"#
    );
    thread_view(&parse_json(&json)).unwrap()
}

/// A comment fixture in wire JSON, with `extra` fields overriding the defaults.
fn comment(id: i64, extra: &str) -> String {
    format!(
        r#"{{"id":{id},"thread_id":"t1","parent_id":null,"depth":0,"author_name":"Ana","reply_to_name":null,
        "text":"Bonjour","html":"<p>Bonjour <em>tous</em></p>","status":"published","removal_reason":null,
        "official":false,"pinned":false,"mine":false,"useful":2,"my_useful":false,
        "created_at":"{}","edited_at":null,"replies":[],"more_replies":0{extra}}}"#,
        iso(5.0)
    )
}

fn page(comments: &[String]) -> CommentPage {
    let json = format!(
        r#"{{"count":{},"comments":[{}],"next_cursor":"c2"}}"#,
        comments.len(),
        comments.join(",")
    );
    comment_page(&parse_json(&json)).expect("fixture decodes")
}

fn inert() -> Actions {
    Actions {
        submit: Callback::new(|_| {}),
        delete: Callback::new(|_| {}),
        useful: Callback::new(|_| {}),
        more_replies: Callback::new(|_| {}),
        load_more: Callback::new(|_| {}),
        show_fresh: Callback::new(|_| {}),
        sort: Callback::new(|_| {}),
        retry: Callback::new(|_| {}),
    }
}

/// Mounts a thread drawn from fixtures; returns its root, state and mount handle.
fn card(lang: Lang, locked: bool, comments: &[String]) -> (ShadowRoot, ThreadState, impl Drop) {
    let root = shadow_root();
    let page = page(comments);
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = mount_to(root.clone().unchecked_into::<HtmlElement>(), move || {
        let state = ThreadState::new(lang, ENDPOINT);
        state.show(thread(locked), page.count, page.comments, page.next_cursor);
        tx.send(state).unwrap();
        view! { <CommentsCard state actions=inert() /> }
    });
    (root, rx.recv().unwrap(), handle)
}

#[wasm_bindgen_test]
async fn a_thread_reads_as_a_titled_nested_list() {
    let reply = comment(2, r#","parent_id":1,"depth":1,"author_name":"Bob""#);
    let top = comment(1, &format!(r#","replies":[{reply}],"more_replies":2"#));
    let (root, _state, _h) = card(Lang::Fr, false, &[top]);
    tick().await;
    assert_eq!(text(&root, ".civique-comments-title"), "1 commentaire");
    assert!(find(
        &root,
        "ol.civique-comment-list > li > article[data-id=\"1\"]"
    )
    .is_some());
    assert!(find(&root, "ol.civique-replies > li > article[data-id=\"2\"]").is_some());
    let body = find(&root, "article[data-id=\"1\"] .civique-comment-body").unwrap();
    // The sanitized HTML of the endpoint, as is (tachys may add an empty marker comment).
    assert!(body
        .inner_html()
        .starts_with("<p>Bonjour <em>tous</em></p>"));
    let time = find(&root, "article[data-id=\"1\"] time").unwrap();
    assert_eq!(time.text_content().unwrap(), "il y a 5 minutes");
    assert!(time.get_attribute("title").unwrap().starts_with("le "));
    assert!(time.get_attribute("datetime").is_some());
    assert_eq!(
        text(&root, ".civique-more-replies"),
        "Afficher 2 autres réponses"
    );
    let useful = find(&root, ".civique-useful").unwrap();
    assert_eq!(useful.text_content().unwrap(), "Utile (2)");
    assert_eq!(useful.get_attribute("aria-pressed").unwrap(), "false");
    assert_eq!(
        text(&root, ".civique-load-more"),
        "Charger plus de commentaires"
    );
    assert!(find(&root, "select.civique-select").is_some());
    assert_eq!(text(&root, "label[for]"), "Votre nom");
}

#[wasm_bindgen_test]
async fn official_pinned_and_edited_comments_are_marked() {
    let c = comment(
        3,
        &format!(
            r#","official":true,"pinned":true,"edited_at":"{}""#,
            iso(1.0)
        ),
    );
    let (root, _state, _h) = card(Lang::En, false, &[c]);
    tick().await;
    assert_eq!(text(&root, ".civique-badge"), "Official reply");
    assert_eq!(text(&root, ".civique-pinned"), "Pinned");
    assert_eq!(text(&root, ".civique-edited"), "(edited)");
    assert_eq!(text(&root, "time"), "5 minutes ago");
}

#[wasm_bindgen_test]
async fn a_locked_thread_has_a_notice_and_no_form() {
    let (root, _state, _h) = card(Lang::Fr, true, &[comment(1, "")]);
    tick().await;
    assert_eq!(
        text(&root, ".civique-locked"),
        "Cette discussion est fermée."
    );
    assert!(find(&root, "textarea").is_none());
    assert!(find(&root, ".civique-reply").is_none());
}

#[wasm_bindgen_test]
async fn removed_comments_leave_placeholders_and_pending_ones_say_so() {
    let hidden = comment(
        1,
        r#","status":"hidden","author_name":null,"text":null,"html":null,"removal_reason":"Hors sujet","more_replies":1"#,
    );
    let deleted = comment(
        2,
        r#","status":"deleted","author_name":null,"text":null,"html":null,"more_replies":1"#,
    );
    let pending = comment(3, r#","status":"pending","mine":true"#);
    let (root, _state, _h) = card(Lang::Fr, false, &[hidden, deleted, pending]);
    tick().await;
    assert_eq!(
        text(&root, "article[data-id=\"1\"]"),
        "Commentaire retiré par la modération\u{a0}: Hors sujet"
    );
    assert_eq!(
        text(&root, "article[data-id=\"2\"]"),
        "Commentaire supprimé par son auteur"
    );
    assert_eq!(
        text(&root, "article[data-id=\"3\"] .civique-pending"),
        "en attente de modération"
    );
    assert!(find(&root, "article[data-id=\"3\"] .civique-edit").is_some());
}

#[wasm_bindgen_test]
async fn new_comments_wait_behind_a_counted_button() {
    let (root, state, _h) = card(Lang::Fr, false, &[comment(1, "")]);
    tick().await;
    assert_eq!(text(&root, ".civique-fresh[role=status]"), "");
    state.announce(7);
    state.announce(8);
    state.announce(7);
    state.announce(1); // already shown
    tick().await;
    assert_eq!(
        text(&root, ".civique-fresh[role=status] button"),
        "2 nouveaux commentaires"
    );
    assert!(find(&root, "article[data-id=\"7\"]").is_none());
}

#[wasm_bindgen_test]
async fn drafts_are_saved_on_input_and_restored() {
    let key = draft_key(ENDPOINT, "t1", None);
    let storage = window().local_storage().unwrap().unwrap();
    storage.remove_item(&key).unwrap();
    let (root, _state, handle) = card(Lang::Fr, false, &[]);
    tick().await;
    let area: HtmlTextAreaElement = find(&root, "textarea").unwrap().unchecked_into();
    area.set_value("Mon brouillon");
    area.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    tick().await;
    assert_eq!(
        storage.get_item(&key).unwrap().as_deref(),
        Some("Mon brouillon")
    );
    assert_eq!(text(&root, ".civique-counter"), "13 / 5\u{a0}000");
    drop(handle);
    let (root, _state, _h) = card(Lang::Fr, false, &[]);
    tick().await;
    let area: HtmlTextAreaElement = find(&root, "textarea").unwrap().unchecked_into();
    assert_eq!(area.value(), "Mon brouillon");
    storage.remove_item(&key).unwrap();
}

#[wasm_bindgen_test]
async fn form_errors_are_alerts_in_the_resident_language() {
    let root = shadow_root();
    let _h = mount_to(root.clone().unchecked_into::<HtmlElement>(), move || {
        let state = ThreadState::new(Lang::Fr, ENDPOINT);
        let editor = Editor::new(Target::Edit(1), "x".into());
        editor.error.set(Some("edit_window_over".into()));
        view! { <Composer state editor on_submit=Callback::new(|_| {}) /> }
    });
    tick().await;
    assert_eq!(
        text(&root, "[role=alert]"),
        "Le délai de 15 minutes pour modifier ou supprimer ce commentaire est dépassé."
    );
    assert_eq!(text(&root, "button[type=submit]"), "Enregistrer");
    assert_eq!(text(&root, "button[type=button]"), "Annuler");
}

#[wasm_bindgen_test]
async fn an_unreachable_endpoint_offers_a_retry() {
    let root = shadow_root();
    let handle = civique::embed::mount_comments(
        root.clone(),
        "t1".into(),
        ENDPOINT.into(),
        "en".into(),
        String::new(),
        String::new(),
        String::new(),
    );
    for _ in 0..200 {
        if find(&root, "[role=alert]").is_some() {
            break;
        }
        tick().await;
    }
    assert_eq!(
        text(&root, "[role=alert]"),
        "The consultation service cannot be reached."
    );
    assert_eq!(text(&root, "button"), "Try again");
    handle.unmount();
}

#[wasm_bindgen_test]
async fn authors_erased_by_retention_read_anonymous_and_official_replies_keep_their_name() {
    let erased = comment(1, r#","author_name":"""#);
    let official = comment(2, r#","author_name":"La mairie","official":true"#);
    let (root, _state, _h) = card(Lang::Fr, true, &[erased.clone(), official.clone()]);
    tick().await;
    let authors = |root: &ShadowRoot| -> Vec<String> {
        let list = root.query_selector_all(".civique-author").unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().text_content().unwrap_or_default())
            .collect()
    };
    assert_eq!(authors(&root), ["Anonyme", "La mairie"]);
    let (root, _state, _h) = card(Lang::En, true, &[erased, official]);
    tick().await;
    assert_eq!(authors(&root), ["Anonymous", "La mairie"]);
}
