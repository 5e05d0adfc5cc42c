//! Browser tests of the poll widget: markup, behaviour and storage, without an endpoint.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use civique::client::{existing_token, keep_token, token_key};
use civique::i18n::Lang;
use civique::poll::{Phase, PollCard, PollState, Results};
use civique::ui::Host;
use civique_api::{
    OptionCount, PollKind, PollOption, PollResults, PollStatus, PollView, ResultsVisibility,
};
use leptos::callback::Callback;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh host element in the test page with an open shadow root.
fn shadow_host() -> (Element, ShadowRoot) {
    let document = document();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let root = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap();
    (host, root)
}

fn mount_in<F, V>(root: &ShadowRoot, f: F) -> impl Drop
where
    F: FnOnce() -> V + 'static,
    V: IntoView + 'static,
{
    mount_to(root.clone().unchecked_into::<HtmlElement>(), move || {
        f().into_view().into_any()
    })
}

fn find(root: &ShadowRoot, selector: &str) -> Option<Element> {
    root.query_selector(selector).unwrap()
}

fn all(root: &ShadowRoot, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into().ok())
        .collect()
}

fn text(root: &ShadowRoot, selector: &str) -> String {
    find(root, selector)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits up to `ms` for `cond`, letting the reactive system and the network run.
async fn until(ms: i32, cond: impl Fn() -> bool) -> bool {
    for _ in 0..ms / 10 {
        if cond() {
            return true;
        }
        sleep(10).await;
    }
    cond()
}

fn sample(kind: PollKind, status: PollStatus) -> PollView {
    PollView {
        id: "velo".into(),
        site_id: "saint-exemple".into(),
        question: "Quel aménagement rue des Écoles ?".into(),
        description: Some("Travaux prévus en 2027.".into()),
        kind,
        max_choices: if kind == PollKind::Single { 1 } else { 2 },
        options: vec![
            PollOption {
                id: 1,
                label: "Piste cyclable".into(),
            },
            PollOption {
                id: 2,
                label: "Trottoirs élargis".into(),
            },
            PollOption {
                id: 3,
                label: "Arbres".into(),
            },
        ],
        opens_at: Some("2027-03-01T17:00:00Z".into()),
        closes_at: Some("2027-04-01T17:00:00Z".into()),
        status,
        results_visibility: ResultsVisibility::AfterVote,
        participation: Default::default(),
        results: None,
        my_choices: vec![],
    }
}

fn results() -> PollResults {
    PollResults {
        voters: 30,
        counts: vec![
            OptionCount {
                option_id: 1,
                votes: 12,
            },
            OptionCount {
                option_id: 2,
                votes: 1,
            },
            OptionCount {
                option_id: 3,
                votes: 0,
            },
        ],
    }
}

/// Mounts a [`PollCard`] showing `view`; returns the root and the submit counter.
fn card(view: PollView, lang: Lang) -> (ShadowRoot, PollState, Rc<Cell<u32>>, impl Drop) {
    let (_, root) = shadow_host();
    let submits = Rc::new(Cell::new(0));
    let (state_tx, state_rx) = std::sync::mpsc::channel();
    let counter = send_wrapper::SendWrapper::new(submits.clone());
    let handle = mount_in(&root, move || {
        let state = PollState::new(lang);
        state.show(view);
        state_tx.send(state).unwrap();
        let on_submit = Callback::new(move |()| counter.set(counter.get() + 1));
        view! { <PollCard state on_submit on_retry=|()| {} /> }
    });
    (root, state_rx.recv().unwrap(), submits, handle)
}

#[wasm_bindgen_test]
async fn results_read_as_text_with_hidden_bars() {
    let (_, root) = shadow_host();
    let options = sample(PollKind::Single, PollStatus::Open).options;
    let _h = mount_in(&root, move || {
        view! { <Results results=results() options mine=vec![1] lang=Lang::Fr /> }
    });
    let items: Vec<String> = all(&root, "li")
        .iter()
        .map(|li| li.text_content().unwrap())
        .collect();
    assert_eq!(
        items,
        [
            "Piste cyclable\u{a0}: 12 votes (40\u{a0}%) (votre choix)",
            "Trottoirs élargis\u{a0}: 1 vote (3\u{a0}%)",
            "Arbres\u{a0}: 0 vote (0\u{a0}%)",
        ]
    );
    assert_eq!(
        text(&root, ".civique-total"),
        "30 participants · 1 participation par appareil"
    );
    let section = find(&root, "section").unwrap();
    let title = find(&root, ".civique-results-title").unwrap();
    assert_eq!(section.get_attribute("aria-labelledby"), Some(title.id()));
    assert_eq!(section.get_attribute("part").as_deref(), Some("results"));
    assert_eq!(title.text_content().unwrap(), "Résultats");
    let bar = find(&root, ".civique-bar").unwrap();
    assert_eq!(bar.get_attribute("aria-hidden").as_deref(), Some("true"));
    let fill: HtmlElement = find(&root, ".civique-bar-fill").unwrap().unchecked_into();
    assert_eq!(fill.style().get_property_value("width").unwrap(), "40%");
}

#[wasm_bindgen_test]
async fn english_results_use_plain_typography() {
    let (_, root) = shadow_host();
    let options = sample(PollKind::Single, PollStatus::Open).options;
    let _h = mount_in(&root, move || {
        view! { <Results results=results() options lang=Lang::En /> }
    });
    assert_eq!(
        all(&root, "li")[0].text_content().unwrap(),
        "Piste cyclable: 12 votes (40%)"
    );
    assert_eq!(text(&root, ".civique-results-title"), "Results");
}

#[wasm_bindgen_test]
async fn open_single_poll_is_a_form_of_radio_buttons() {
    let (root, state, submits, _h) = card(sample(PollKind::Single, PollStatus::Open), Lang::Fr);
    let poll = find(&root, ".civique-poll").unwrap();
    assert_eq!(poll.get_attribute("data-state").as_deref(), Some("ready"));
    assert_eq!(poll.get_attribute("data-status").as_deref(), Some("open"));
    assert_eq!(poll.get_attribute("lang").as_deref(), Some("fr"));
    assert_eq!(poll.get_attribute("part").as_deref(), Some("poll"));
    assert_eq!(
        text(&root, "form fieldset legend"),
        "Quel aménagement rue des Écoles ?"
    );
    assert_eq!(
        text(&root, "fieldset legend + p"),
        "Travaux prévus en 2027."
    );
    let radios = all(&root, "label input[type=radio]");
    assert_eq!(radios.len(), 3);
    assert_eq!(
        all(&root, "label")[1].text_content().unwrap(),
        "Trottoirs élargis"
    );
    assert!(text(&root, ".civique-meta").starts_with("Clôture le "));
    assert_eq!(
        text(&root, ".civique-note"),
        "Les résultats s'afficheront après votre vote."
    );
    let button: HtmlElement = find(&root, "button[type=submit]").unwrap().unchecked_into();
    assert_eq!(button.text_content().unwrap(), "Voter");
    assert_eq!(button.get_attribute("part").as_deref(), Some("button"));

    // Clicking a label checks its radio, and the form submits through the callback.
    all(&root, "label")[1]
        .unchecked_ref::<HtmlElement>()
        .click();
    all(&root, "label")[0]
        .unchecked_ref::<HtmlElement>()
        .click();
    assert_eq!(state.selection.get_untracked(), vec![1]);
    button.click();
    assert_eq!(submits.get(), 1);

    // Busy: the button stays enabled but says so.
    state.sending.set(true);
    assert!(
        until(500, || button.get_attribute("aria-busy").as_deref()
            == Some("true"))
        .await
    );
    assert!(!button.has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn a_voter_sees_a_prechecked_form_results_and_status() {
    let mut view = sample(PollKind::Multiple, PollStatus::Open);
    view.my_choices = vec![2];
    view.results = Some(results());
    let (root, state, _, _h) = card(view, Lang::En);
    let boxes: Vec<HtmlInputElement> = all(&root, "input[type=checkbox]")
        .into_iter()
        .map(JsCast::unchecked_into)
        .collect();
    assert_eq!(boxes.len(), 3);
    assert!(boxes[1].checked() && !boxes[0].checked());
    assert_eq!(text(&root, "button"), "Change my vote");
    let hint = find(&root, ".civique-hint").unwrap();
    assert_eq!(hint.text_content().unwrap(), "Up to 2 choices");
    let described = find(&root, "fieldset")
        .unwrap()
        .get_attribute("aria-describedby")
        .unwrap();
    assert!(described.split(' ').any(|id| id == hint.id()));
    assert!(text(&root, "li").starts_with("Piste cyclable: 12 votes (40%)"));
    assert!(find(&root, ".civique-note").is_none());

    // A live update does not undo a selection the resident is making.
    boxes[0].click();
    let mut newer = state.poll.get_untracked().unwrap();
    newer.results.as_mut().unwrap().voters = 31;
    state.show(newer);
    assert!(
        until(500, || text(&root, ".civique-total")
            .starts_with("31 participants ·"))
        .await
    );
    assert_eq!(state.selection.get_untracked(), vec![2, 1]);
    assert!(boxes[0].checked());

    state.notice.set(Some(civique::poll::Notice::Failed(
        "too_many_choices".into(),
    )));
    assert!(
        until(500, || text(&root, "[role=alert]")
            == "You can choose at most 2 answers.")
        .await
    );
    state.notice.set(Some(civique::poll::Notice::Recorded));
    assert!(
        until(500, || text(&root, "[role=status]")
            == "Your vote has been recorded.")
        .await
    );
    assert!(find(&root, "[role=alert]").is_none());
}

#[wasm_bindgen_test]
async fn upcoming_poll_lists_options_without_controls() {
    let (root, _, _, _h) = card(sample(PollKind::Single, PollStatus::Upcoming), Lang::Fr);
    assert!(find(&root, "form").is_none() && find(&root, "input").is_none());
    assert_eq!(
        text(&root, "p.civique-question strong"),
        "Quel aménagement rue des Écoles ?"
    );
    assert_eq!(all(&root, "ul.civique-choices li").len(), 3);
    let meta = text(&root, ".civique-meta");
    assert!(
        meta.starts_with("Ce sondage ouvrira le ") && meta.contains("mars 2027 à "),
        "{meta}"
    );
}

#[wasm_bindgen_test]
async fn closed_poll_shows_final_results() {
    let mut view = sample(PollKind::Single, PollStatus::Closed);
    view.results = Some(results());
    let (root, _, _, _h) = card(view, Lang::Fr);
    assert!(find(&root, "form").is_none());
    assert_eq!(
        text(&root, ".civique-meta"),
        "Ce sondage est clos. Voici les résultats définitifs."
    );
    assert_eq!(all(&root, ".civique-results li").len(), 3);
    assert_eq!(
        find(&root, ".civique-poll")
            .unwrap()
            .get_attribute("data-status")
            .as_deref(),
        Some("closed")
    );
}

#[wasm_bindgen_test]
async fn after_close_results_say_when_they_come() {
    let mut view = sample(PollKind::Single, PollStatus::Open);
    view.results_visibility = ResultsVisibility::AfterClose;
    let (root, _, _, _h) = card(view, Lang::En);
    assert_eq!(
        text(&root, ".civique-note"),
        "Results will be published when the poll closes."
    );
}

#[wasm_bindgen_test]
async fn unreachable_endpoint_offers_a_retry() {
    let (host, root) = shadow_host();
    let handle = civique::embed::mount_poll(
        root.clone(),
        "velo".into(),
        "http://127.0.0.1:9/".into(),
        "fr-FR".into(),
        String::new(),
    );
    let state = || find(&root, ".civique-poll").and_then(|p| p.get_attribute("data-state"));
    assert!(until(5_000, || state().as_deref() == Some("unreachable")).await);
    assert_eq!(
        text(&root, "[role=alert]"),
        "Le service de consultation est injoignable."
    );
    let retry: HtmlElement = find(&root, "button").unwrap().unchecked_into();
    assert_eq!(retry.text_content().unwrap(), "Réessayer");
    // Retrying draws the poll again: the first alert leaves, a new one comes.
    let first_alert = find(&root, "[role=alert]").unwrap();
    retry.click();
    assert!(until(5_000, || !first_alert.is_connected()).await);
    assert!(until(5_000, || state().as_deref() == Some("unreachable")).await);

    handle.unmount();
    assert!(until(500, || root.child_element_count() == 0).await);
    host.remove();
}

#[wasm_bindgen_test]
async fn failed_first_load_is_shown_in_state() {
    let (root, state, _, _h) = card(sample(PollKind::Single, PollStatus::Open), Lang::Fr);
    state
        .phase
        .set(Phase::Failed(civique::client::ClientError::Api {
            status: 404,
            code: "not_found".into(),
            message: String::new(),
        }));
    assert!(
        until(500, || text(&root, "[role=alert]")
            == "Ce sondage n'existe pas ou a été supprimé.")
        .await
    );
    assert!(find(&root, "button").is_none(), "nothing to retry");
}

#[wasm_bindgen_test]
fn host_events_bubble_out_of_the_shadow_root() {
    let (host, _root) = shadow_host();
    let seen = Rc::new(Cell::new(false));
    let listener = Closure::<dyn FnMut(web_sys::CustomEvent)>::new({
        let seen = seen.clone();
        move |event: web_sys::CustomEvent| {
            let detail = event.detail();
            let poll = js_sys::Reflect::get(&detail, &"poll".into()).unwrap();
            assert_eq!(poll.as_string().as_deref(), Some("velo"));
            assert!(event.bubbles() && event.composed());
            seen.set(true);
        }
    });
    let body = document().body().unwrap();
    body.add_event_listener_with_callback("civique:vote", listener.as_ref().unchecked_ref())
        .unwrap();
    Host::new(Some(host)).emit(
        "civique:vote",
        &[
            ("poll", "velo".into()),
            ("choices", js_sys::Array::of1(&JsValue::from(1)).into()),
        ],
    );
    body.remove_event_listener_with_callback("civique:vote", listener.as_ref().unchecked_ref())
        .unwrap();
    assert!(seen.get());
}

#[wasm_bindgen_test]
fn an_earned_participant_token_is_kept_per_endpoint_origin() {
    let endpoint = "http://127.0.0.1:8787/";
    let storage = window().local_storage().unwrap().unwrap();
    storage.remove_item(&token_key(endpoint)).unwrap();
    assert_eq!(existing_token(endpoint), None, "reading creates nothing");
    assert_eq!(storage.get_item(&token_key(endpoint)).unwrap(), None);
    let token = format!("d{}", "0123456789abcdef".repeat(4));
    keep_token(endpoint, &token);
    assert_eq!(existing_token(endpoint), Some(token.clone()));
    assert_eq!(
        storage
            .get_item("civique:participant:http://127.0.0.1:8787")
            .unwrap(),
        Some(token.clone())
    );
    assert_eq!(
        existing_token("http://127.0.0.1:8787/other/"),
        Some(token.clone())
    );
    assert_ne!(existing_token("http://127.0.0.1:8788/"), Some(token));
    // A token an earlier release made up is not used: the device earns one.
    storage
        .set_item(&token_key(endpoint), "abcdefghijklmnopqrstuvwxyz012345")
        .unwrap();
    assert_eq!(existing_token(endpoint), None);
    storage.remove_item(&token_key(endpoint)).unwrap();
}

#[wasm_bindgen_test]
fn dates_are_formatted_in_the_chosen_language() {
    let fr = Lang::Fr.datetime("2027-03-01T12:00:00Z");
    assert!(fr.starts_with("le 1 mars 2027 à "), "{fr}");
    let en = Lang::En.datetime("2027-03-01T12:00:00Z");
    assert!(en.starts_with("March 1, 2027 at "), "{en}");
    assert!(
        !en.contains(" at 0"),
        "no zero-padded hour in English: {en}"
    );
    assert_eq!(Lang::Fr.datetime("not a date"), "not a date");
}
