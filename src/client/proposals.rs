//! Requests of proposal boxes (ideas and questions) and the decoding of their answers.

use civique_api::proposals::{
    BoxView, Category, ProposalInput, ProposalPage, ProposalSort, ProposalStatus, ProposalView,
    StatusChange, SupportView,
};
use wasm_bindgen::JsValue;

use super::decode::{boolean, count, field, int, is_absent, list, named, number, optional, string};
use super::{json, segment, Client, ClientError};

/// What a listing asks for: `GET /boxes/{id}/proposals?sort=&category=&status=&q=&page=`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalQuery {
    /// Order of the listing.
    pub sort: ProposalSort,
    /// Only this category (an id of the box's), when set.
    pub category: Option<String>,
    /// Only this status, when set.
    pub status: Option<ProposalStatus>,
    /// Full-text search, when not empty.
    pub q: String,
    /// 1-based page.
    pub page: u32,
}

impl ProposalQuery {
    /// The query string, starting with `?`.
    pub fn to_query(&self) -> String {
        let mut out = format!("?sort={}&page={}", self.sort.as_str(), self.page.max(1));
        if let Some(category) = &self.category {
            out.push_str(&format!("&category={}", segment(category)));
        }
        if let Some(status) = self.status {
            out.push_str(&format!("&status={}", status.as_str()));
        }
        let q = self.q.trim();
        if !q.is_empty() {
            out.push_str(&format!("&q={}", segment(q)));
        }
        out
    }
}

impl Client {
    /// `{endpoint}api/v1/boxes/{id}`.
    pub fn box_url(&self, id: &str) -> String {
        self.api_url(&format!("boxes/{}", segment(id)))
    }

    fn proposal_url(&self, id: i64, rest: &str) -> String {
        self.api_url(&format!("proposals/{id}{rest}"))
    }

    /// A proposal box.
    pub async fn proposal_box(&self, id: &str) -> Result<BoxView, ClientError> {
        self.send("GET", self.box_url(id), None, box_view).await
    }

    /// A page of the published proposals of box `id`.
    pub async fn proposals(
        &self,
        id: &str,
        query: &ProposalQuery,
    ) -> Result<ProposalPage, ClientError> {
        let url = format!("{}/proposals{}", self.box_url(id), query.to_query());
        self.send("GET", url, None, proposal_page).await
    }

    /// Up to three published proposals of box `id` resembling the title `q`.
    pub async fn similar(&self, id: &str, q: &str) -> Result<Vec<ProposalView>, ClientError> {
        let url = format!("{}/similar?q={}", self.box_url(id), segment(q));
        self.send("GET", url, None, |v| list(v, "proposals", proposal_view))
            .await
    }

    /// Submits a proposal (or a question) to box `id`.
    pub async fn submit_proposal(
        &self,
        id: &str,
        input: &ProposalInput,
    ) -> Result<ProposalView, ClientError> {
        let text_or_null = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from);
        let body = json(&[
            ("title", input.title.as_str().into()),
            ("text", input.text.as_str().into()),
            ("category", text_or_null(&input.category)),
            ("place", text_or_null(&input.place)),
            ("author_name", input.author_name.as_str().into()),
        ]);
        let url = format!("{}/proposals", self.box_url(id));
        self.send("POST", url, Some(body), proposal_view).await
    }

    /// One proposal with its status history.
    pub async fn proposal(&self, id: i64) -> Result<ProposalView, ClientError> {
        self.send("GET", self.proposal_url(id, ""), None, proposal_view)
            .await
    }

    /// Supports proposal `id` (`on`) or withdraws the support.
    pub async fn set_support(&self, id: i64, on: bool) -> Result<SupportView, ClientError> {
        let method = if on { "PUT" } else { "DELETE" };
        self.send(
            method,
            self.proposal_url(id, "/support"),
            None,
            support_view,
        )
        .await
    }
}

/// A `BoxView`.
pub fn box_view(v: &JsValue) -> Option<BoxView> {
    let threshold = field(v, "threshold");
    Some(BoxView {
        id: string(v, "id")?,
        site_id: string(v, "site_id")?,
        title: string(v, "title")?,
        description: optional(v, "description")?,
        mode: named(v, "mode")?,
        categories: list(v, "categories", |c| {
            Some(Category {
                id: string(c, "id")?,
                label: string(c, "label")?,
            })
        })?,
        threshold: if is_absent(&threshold) {
            None
        } else {
            Some(u64::try_from(number(&threshold)?).ok()?)
        },
        pre_moderation: boolean(v, "pre_moderation")?,
        opens_at: optional(v, "opens_at")?,
        closes_at: optional(v, "closes_at")?,
        status: named(v, "status")?,
        count: count(v, "count")?,
        participation: named(v, "participation").unwrap_or_default(),
    })
}

/// A `ProposalView` (`history` may be missing: empty).
pub fn proposal_view(v: &JsValue) -> Option<ProposalView> {
    let duplicate_of = field(v, "duplicate_of");
    let history = if is_absent(&field(v, "history")) {
        Vec::new()
    } else {
        list(v, "history", |h| {
            Some(StatusChange {
                by: string(h, "by")?,
                at: string(h, "at")?,
                from: named(h, "from")?,
                to: named(h, "to")?,
            })
        })?
    };
    Some(ProposalView {
        id: int(v, "id")?,
        box_id: string(v, "box_id")?,
        title: string(v, "title")?,
        text: string(v, "text").unwrap_or_default(),
        html: string(v, "html").unwrap_or_default(),
        category: optional(v, "category")?,
        place: optional(v, "place")?,
        author_name: string(v, "author_name")?,
        status: named(v, "status")?,
        duplicate_of: if is_absent(&duplicate_of) {
            None
        } else {
            Some(number(&duplicate_of)?)
        },
        visibility: named(v, "visibility")?,
        answer: optional(v, "answer")?,
        answer_html: optional(v, "answer_html")?,
        answered_at: optional(v, "answered_at")?,
        supports: count(v, "supports")?,
        my_support: boolean(v, "my_support").unwrap_or(false),
        mine: boolean(v, "mine").unwrap_or(false),
        threshold_reached_at: optional(v, "threshold_reached_at")?,
        thread_id: optional(v, "thread_id")?,
        created_at: string(v, "created_at")?,
        history,
    })
}

/// A `ProposalPage`.
pub fn proposal_page(v: &JsValue) -> Option<ProposalPage> {
    Some(ProposalPage {
        count: count(v, "count")?,
        page: u32::try_from(int(v, "page")?).ok()?,
        pages: u32::try_from(int(v, "pages")?).ok()?,
        proposals: list(v, "proposals", proposal_view)?,
    })
}

/// A `SupportView` (also the data of a `supports_changed` event, without `my_support`).
pub fn support_view(v: &JsValue) -> Option<SupportView> {
    Some(SupportView {
        id: int(v, "id")?,
        supports: count(v, "supports")?,
        my_support: boolean(v, "my_support").unwrap_or(false),
        threshold_reached_at: optional(v, "threshold_reached_at").unwrap_or(None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_queries_carry_only_what_is_set() {
        let query = ProposalQuery {
            page: 2,
            ..Default::default()
        };
        assert_eq!(query.to_query(), "?sort=supports&page=2");
        let query = ProposalQuery {
            sort: ProposalSort::Answered,
            status: Some(ProposalStatus::UnderReview),
            page: 0,
            ..Default::default()
        };
        assert_eq!(
            query.to_query(),
            "?sort=answered&page=1&status=under_review"
        );
    }
}
