//! The reactive state one mounted proposal box shares between its parts, and its pure rules.

use civique_api::codes;
use civique_api::comments::limits::AUTHOR_NAME_MAX_LEN;
use civique_api::proposals::limits::{
    PLACE_MAX_LEN, QUESTION_MAX_LEN, TEXT_MAX_LEN, TITLE_MAX_LEN,
};
use civique_api::proposals::{
    BoxMode, BoxView, ProposalInput, ProposalSort, ProposalStatus, ProposalView, SupportView,
};
use civique_api::PollStatus;
use leptos::prelude::*;

use crate::client::origin_of;
use crate::client::proposals::ProposalQuery;
use crate::client::Client;
use crate::i18n::{BoxText, Lang};
use crate::ui::Debounce;
use crate::ui::{store, stored, Host, Phase, NAME_KEY};

/// Prefix of the fragment that names a proposal: `#civique-proposal-42`.
pub const HASH_PREFIX: &str = "#civique-proposal-";

/// The permalink fragment of proposal `id`.
pub fn permalink(id: i64) -> String {
    format!("{HASH_PREFIX}{id}")
}

/// The proposal a fragment (`#civique-proposal-42`) names, if it names one.
pub fn proposal_in_hash(hash: &str) -> Option<i64> {
    hash.strip_prefix(HASH_PREFIX)?
        .parse()
        .ok()
        .filter(|id| *id > 0)
}

/// localStorage key of one field of the unsent proposal of a box:
/// `civique:proposal:<endpoint origin>:<box>:<field>`.
pub fn draft_key(endpoint: &str, box_id: &str, field: &str) -> String {
    format!("civique:proposal:{}:{box_id}:{field}", origin_of(endpoint))
}

/// Limit of a title: an idea's or a question's.
pub fn title_max(questions: bool) -> usize {
    if questions {
        QUESTION_MAX_LEN
    } else {
        TITLE_MAX_LEN
    }
}

/// The error code the endpoint would answer for this proposal, caught before sending.
pub fn check_proposal(
    input: &ProposalInput,
    questions: bool,
    has_categories: bool,
) -> Option<&'static str> {
    let len = |s: &str| s.trim().chars().count();
    let name = len(&input.author_name);
    if input.title.trim().is_empty() {
        Some(codes::EMPTY_TITLE)
    } else if len(&input.title) > title_max(questions) {
        Some(codes::TITLE_TOO_LONG)
    } else if !questions && input.text.chars().count() > TEXT_MAX_LEN {
        Some(codes::TEXT_TOO_LONG)
    } else if !questions && has_categories && input.category.is_none() {
        Some(codes::CATEGORY_REQUIRED)
    } else if !questions
        && input
            .place
            .as_deref()
            .is_some_and(|p| len(p) > PLACE_MAX_LEN)
    {
        Some(codes::PLACE_TOO_LONG)
    } else if name == 0 || name > AUTHOR_NAME_MAX_LEN {
        Some(codes::INVALID_NAME)
    } else {
        None
    }
}

/// A field of the form, to mark invalid and focus after an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Text,
    Category,
    Place,
    Name,
}

impl Field {
    /// The field an error code is about, if any.
    pub fn of(code: &str) -> Option<Field> {
        Some(match code {
            codes::EMPTY_TITLE | codes::TITLE_TOO_LONG | codes::INVALID_TITLE => Field::Title,
            codes::TEXT_TOO_LONG | codes::TOO_MANY_LINKS => Field::Text,
            codes::CATEGORY_REQUIRED | codes::UNKNOWN_CATEGORY => Field::Category,
            codes::PLACE_TOO_LONG => Field::Place,
            codes::INVALID_NAME | codes::RESERVED_NAME => Field::Name,
            _ => return None,
        })
    }

    /// Its draft key suffix (the name is kept apart, for every widget).
    fn key(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Text => "text",
            Field::Category => "category",
            Field::Place => "place",
            Field::Name => "name",
        }
    }
}

/// One proposal on screen: its view as a signal, so that changes apply in place, and the
/// state of its support button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Proposal id.
    pub id: i64,
    /// The proposal as last received.
    pub view: RwSignal<ProposalView>,
    /// Code of the last failed support, shown by the button.
    pub error: RwSignal<Option<String>>,
    /// Is a support on its way?
    pub sending: RwSignal<bool>,
}

impl Item {
    pub fn new(view: ProposalView) -> Self {
        Item {
            id: view.id,
            view: RwSignal::new(view),
            error: RwSignal::new(None),
            sending: RwSignal::new(false),
        }
    }

    /// Replaces the view when it changed.
    pub fn set(&self, view: ProposalView) {
        if self.view.with_untracked(|v| *v != view) {
            self.view.set(view);
        }
    }
}

/// The two lists of a questions box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// Questions waiting for an answer, most voted first.
    #[default]
    Open,
    /// Answered questions, most recently answered first.
    Answered,
}

impl Tab {
    /// What the tab lists, on page `page`.
    pub fn query(self, page: u32) -> ProposalQuery {
        let (status, sort) = match self {
            Tab::Open => (ProposalStatus::Submitted, ProposalSort::Supports),
            Tab::Answered => (ProposalStatus::Answered, ProposalSort::Answered),
        };
        ProposalQuery {
            sort,
            status: Some(status),
            page,
            ..Default::default()
        }
    }

    pub fn other(self) -> Tab {
        match self {
            Tab::Open => Tab::Answered,
            Tab::Answered => Tab::Open,
        }
    }
}

/// The form's fields and state, each field kept as a draft until the submit succeeds.
#[derive(Debug, Clone, Copy)]
pub struct Draft {
    pub title: RwSignal<String>,
    pub text: RwSignal<String>,
    pub category: RwSignal<String>,
    pub place: RwSignal<String>,
    /// Code of the last failure, shown as an alert.
    pub error: RwSignal<Option<String>>,
    /// Is the proposal on its way?
    pub sending: RwSignal<bool>,
    /// Is the ideas form shown?
    pub open: RwSignal<bool>,
}

/// What the resident is told after a submit: the sentence and the new proposal, when
/// published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thanks {
    pub text: BoxText,
    pub published: Option<i64>,
}

/// Signals of one mounted box; `Copy`, so every closure can hold it.
#[derive(Debug, Clone, Copy)]
pub struct BoxState {
    /// Interface language.
    pub lang: Lang,
    /// Box id.
    pub box_id: StoredValue<String>,
    /// Endpoint URL.
    pub endpoint: StoredValue<String>,
    /// Element receiving DOM events.
    pub host: StoredValue<Host>,
    /// Projector display: large type, nothing to fill in or press.
    pub projector: bool,
    /// Loading, ready or failed.
    pub phase: RwSignal<Phase>,
    /// The box.
    pub info: RwSignal<Option<BoxView>>,
    /// What the ideas list shows (questions use `tab` and `query.page`).
    pub query: RwSignal<ProposalQuery>,
    /// The text in the search field (applied by the search button).
    pub search: RwSignal<String>,
    /// The questions tab shown.
    pub tab: RwSignal<Tab>,
    /// Proposals of the page shown.
    pub items: RwSignal<Vec<Item>>,
    /// Proposals matching the listing.
    pub count: RwSignal<u64>,
    /// Pages of the listing.
    pub pages: RwSignal<u32>,
    /// Questions in the other tab.
    pub other_count: RwSignal<u64>,
    /// The opened proposal, shown instead of the list.
    pub detail: RwSignal<Option<Item>>,
    /// Similar proposals to the title being typed.
    pub similar: RwSignal<Vec<ProposalView>>,
    /// The form.
    pub draft: Draft,
    /// Display name, remembered on the device.
    pub name: RwSignal<String>,
    /// Code of the last failed listing.
    pub alert: RwSignal<Option<String>>,
    /// After a submit.
    pub thanks: RwSignal<Option<Thanks>>,
    /// Polite announcements (supports).
    pub spoken: RwSignal<String>,
    /// Latest listing request: older answers are ignored.
    pub listing_seq: StoredValue<u32>,
    /// Bumped by each support answer: a listing or a proposal read that started before it
    /// may show this participant's support as it was, so it is read again.
    pub supports_applied: StoredValue<u32>,
    /// Latest similar lookup: older answers are ignored.
    pub similar_seq: StoredValue<u32>,
    /// Reloads after live events.
    pub reload_timer: Debounce,
    /// Similar lookups while typing.
    pub similar_timer: Debounce,
    /// Proposals whose `civique:threshold` event was sent.
    pub thresholds: StoredValue<Vec<i64>>,
    /// The opened proposal, when a live event touched it since the last reload.
    pub detail_touched: StoredValue<Option<Item>>,
    /// Where focus returns when the opened proposal closes: the selector of the link that
    /// opened it (the list is drawn again by then).
    pub opener: StoredValue<Option<String>>,
    /// The widget's owner: items live as long as the widget, whichever part (a card that
    /// goes away, a task) creates them.
    pub owner: StoredValue<Owner>,
    /// Has the live stream opened once (later openings are reconnections)?
    pub streamed: StoredValue<bool>,
}

impl BoxState {
    /// An empty state, loading; the draft comes back from the device.
    pub fn new(lang: Lang, endpoint: &str, box_id: &str, host: Host, projector: bool) -> Self {
        let draft = |field: Field| {
            RwSignal::new(stored(&draft_key(endpoint, box_id, field.key())).unwrap_or_default())
        };
        BoxState {
            lang,
            box_id: StoredValue::new(box_id.to_owned()),
            endpoint: StoredValue::new(endpoint.to_owned()),
            host: StoredValue::new(host),
            projector,
            phase: RwSignal::new(Phase::Loading),
            info: RwSignal::new(None),
            query: RwSignal::new(ProposalQuery {
                page: 1,
                ..Default::default()
            }),
            search: RwSignal::new(String::new()),
            tab: RwSignal::new(Tab::Open),
            items: RwSignal::new(Vec::new()),
            count: RwSignal::new(0),
            pages: RwSignal::new(1),
            other_count: RwSignal::new(0),
            detail: RwSignal::new(None),
            similar: RwSignal::new(Vec::new()),
            draft: Draft {
                title: draft(Field::Title),
                text: draft(Field::Text),
                category: draft(Field::Category),
                place: draft(Field::Place),
                error: RwSignal::new(None),
                sending: RwSignal::new(false),
                open: RwSignal::new(false),
            },
            name: RwSignal::new(stored(NAME_KEY).unwrap_or_default()),
            alert: RwSignal::new(None),
            thanks: RwSignal::new(None),
            spoken: RwSignal::new(String::new()),
            listing_seq: StoredValue::new(0),
            supports_applied: StoredValue::new(0),
            similar_seq: StoredValue::new(0),
            reload_timer: Debounce::new(),
            similar_timer: Debounce::new(),
            thresholds: StoredValue::new(Vec::new()),
            detail_touched: StoredValue::new(None),
            opener: StoredValue::new(None),
            streamed: StoredValue::new(false),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
        }
    }

    /// Has the widget been unmounted? Requests that answer late must then do nothing.
    pub fn is_gone(&self) -> bool {
        self.phase.is_disposed()
    }

    /// A client of the endpoint.
    pub fn client(&self) -> Client {
        self.endpoint.with_value(|e| Client::new(e))
    }

    /// The box id.
    pub fn id(&self) -> String {
        self.box_id.get_value()
    }

    /// Dispatches `name` on the host element with `detail` and the box id.
    pub fn emit(&self, name: &str, detail: &[(&str, wasm_bindgen::JsValue)]) {
        let mut all = vec![("box", self.id().into())];
        all.extend(detail.iter().cloned());
        self.host.with_value(|h| h.emit(name, &all));
    }

    /// Does the box take questions? (The mode of a box never changes.)
    pub fn questions(&self) -> bool {
        self.info
            .with_untracked(|b| b.as_ref().is_some_and(|b| b.mode == BoxMode::Questions))
    }

    /// Is the box open to proposals and supports (tracked)?
    pub fn accepts(&self) -> bool {
        self.info
            .with(|b| b.as_ref().is_some_and(|b| b.status == PollStatus::Open))
    }

    /// Is the form shown (tracked)? While the box accepts proposals, and afterwards while
    /// the resident is writing one: what is typed stays, the endpoint says why it refuses.
    pub fn shows_form(&self) -> bool {
        let d = self.draft;
        self.accepts()
            || d.open.get()
            || d.title.with(|t| !t.is_empty())
            || d.text.with(|t| !t.is_empty())
    }

    /// Does the box sort its proposals into categories?
    pub fn has_categories(&self) -> bool {
        self.info
            .with_untracked(|b| b.as_ref().is_some_and(|b| !b.categories.is_empty()))
    }

    /// The threshold of the box, in ideas mode.
    pub fn threshold(&self) -> Option<u64> {
        self.info.with_untracked(|b| {
            b.as_ref()
                .filter(|b| b.mode == BoxMode::Ideas)
                .and_then(|b| b.threshold)
        })
    }

    /// The translated sentence of an error `code`.
    pub fn error_text(&self, code: &str) -> String {
        self.lang.proposal_error(code, self.questions())
    }

    /// What the list shown asks the endpoint, and in questions mode what the other tab asks
    /// (for its count).
    pub fn listing(&self) -> (ProposalQuery, Option<ProposalQuery>) {
        let query = self.query.get_untracked();
        if self.questions() {
            let tab = self.tab.get_untracked();
            (tab.query(query.page), Some(tab.other().query(1)))
        } else {
            (query, None)
        }
    }

    /// Saves a field of the draft (removed when empty).
    pub fn save_draft(&self, field: Field, value: &str) {
        let key = self
            .endpoint
            .with_value(|e| self.box_id.with_value(|b| draft_key(e, b, field.key())));
        store(&key, value);
    }

    /// Empties the draft after a successful submit (the name stays).
    pub fn clear_draft(&self) {
        let d = self.draft;
        for (field, signal) in [
            (Field::Title, d.title),
            (Field::Text, d.text),
            (Field::Category, d.category),
            (Field::Place, d.place),
        ] {
            signal.set(String::new());
            self.save_draft(field, "");
        }
    }

    /// Sets and remembers the display name.
    pub fn set_name(&self, name: String) {
        store(NAME_KEY, &name);
        self.name.set(name);
    }

    /// Shows a page of the listing: proposals already shown keep their item (updated in
    /// place), so that a re-sort moves them rather than drawing them again.
    pub fn show_page(&self, views: Vec<ProposalView>, count: u64, pages: u32) {
        let old = self.items.get_untracked();
        let items: Vec<Item> = views
            .into_iter()
            .map(|view| match old.iter().find(|i| i.id == view.id) {
                Some(item) => {
                    item.set(view);
                    *item
                }
                None => self.item(view),
            })
            .collect();
        if items != old {
            self.items.set(items);
        }
        self.count.set(count);
        self.pages.set(pages.max(1));
        if self.phase.get_untracked() != Phase::Ready {
            self.phase.set(Phase::Ready);
        }
    }

    /// A new item for `view`, owned by the widget.
    pub fn item(&self, view: ProposalView) -> Item {
        self.owner.with_value(|o| o.with(|| Item::new(view)))
    }

    /// Calls `f` on every item of proposal `id` on screen (list and opened proposal).
    pub fn each(&self, id: i64, f: impl Fn(&Item)) {
        self.items.with_untracked(|items| {
            items.iter().filter(|i| i.id == id).for_each(&f);
        });
        if let Some(item) = self.detail.get_untracked().filter(|i| i.id == id) {
            f(&item);
        }
    }

    /// Applies the supports of `support` to every item of its proposal.
    pub fn apply_support(&self, support: &SupportView) {
        self.each(support.id, |item| {
            item.view.update(|v| {
                v.supports = support.supports;
                v.my_support = support.my_support;
                v.threshold_reached_at = support.threshold_reached_at.clone();
            })
        });
    }

    /// Keeps the listing in its order after counts changed live (most supported first, then
    /// oldest), without asking the endpoint: items move, none is drawn again.
    pub fn resort(&self) {
        if self.query.with_untracked(|q| q.sort) != ProposalSort::Supports {
            return;
        }
        let mut items = self.items.get_untracked();
        let key = |item: &Item| {
            item.view
                .with_untracked(|v| (std::cmp::Reverse(v.supports), v.id))
        };
        if items.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
            return;
        }
        items.sort_by_key(key);
        self.items.set(items);
    }

    /// Tells the host page, once, that proposal `id` reached the threshold.
    pub fn threshold_reached(&self, id: i64) {
        let first = self
            .thresholds
            .try_update_value(|t| {
                let first = !t.contains(&id);
                if first {
                    t.push(id);
                }
                first
            })
            .unwrap_or(false);
        if first {
            self.emit(
                "civique:threshold",
                &[("id", wasm_bindgen::JsValue::from(id as f64))],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(title: &str, category: Option<&str>, name: &str) -> ProposalInput {
        ProposalInput {
            title: title.into(),
            text: String::new(),
            category: category.map(Into::into),
            place: None,
            author_name: name.into(),
        }
    }

    #[test]
    fn proposals_are_checked_before_sending() {
        assert_eq!(
            check_proposal(&input("  ", None, "Ana"), false, false),
            Some("empty_title")
        );
        assert_eq!(
            check_proposal(&input(&"é".repeat(121), None, "Ana"), false, false),
            Some("title_too_long")
        );
        assert_eq!(
            check_proposal(&input(&"é".repeat(121), None, "Ana"), true, false),
            None
        );
        assert_eq!(
            check_proposal(&input("Bancs", None, "Ana"), false, true),
            Some("category_required")
        );
        assert_eq!(
            check_proposal(&input("Bancs", None, "Ana"), true, true),
            None,
            "questions have no category"
        );
        assert_eq!(
            check_proposal(&input("Bancs", Some("voirie"), " "), false, true),
            Some("invalid_name")
        );
        assert_eq!(Field::of("category_required"), Some(Field::Category));
    }

    #[test]
    fn permalinks_name_a_proposal() {
        assert_eq!(permalink(42), "#civique-proposal-42");
        assert_eq!(proposal_in_hash("#civique-proposal-42"), Some(42));
        assert_eq!(proposal_in_hash("#civique-proposal-x"), None);
        assert_eq!(proposal_in_hash("#civique-proposal-0"), None);
        assert_eq!(proposal_in_hash("#contenu"), None);
        assert_eq!(
            draft_key("https://c.example.fr/", "idees", "title"),
            "civique:proposal:https://c.example.fr:idees:title"
        );
    }
}
