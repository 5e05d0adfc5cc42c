//! Request bodies as the endpoint decodes them, then the rules that check them: no input
//! makes either panic, and what the name rule accepts shows what it says (NFC, a letter or
//! digit, no control, format or private character).

#![no_main]

use civique_api::comments::limits;
use civique_api::{BoxInput, CommentInput, PollInput, ProposalInput, SiteInput, VoteRequest};
use civique_server::domain::markdown::check_markdown;
use civique_server::domain::poll::NewPoll;
use civique_server::domain::proposal::ProposalBox;
use civique_server::domain::site::check_site;
use civique_server::domain::text::check_name;
use libfuzzer_sys::fuzz_target;
use unicode_normalization::is_nfc;
use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};

fuzz_target!(|body: &[u8]| {
    if let Ok(comment) = serde_json::from_slice::<CommentInput>(body) {
        let _ = check_markdown(&comment.text, limits::TEXT_MAX_LEN);
        if let Ok(name) = check_name(&comment.author_name, false) {
            assert!(is_nfc(&name), "{name:?}");
            assert!(name.chars().any(char::is_alphanumeric), "{name:?}");
            assert!(
                !name.chars().any(|c| matches!(
                    c.general_category(),
                    G::Control | G::Format | G::PrivateUse | G::Unassigned
                )),
                "{name:?}"
            );
            assert!(name.chars().count() <= limits::AUTHOR_NAME_MAX_LEN);
        }
    }
    if let Ok(poll) = serde_json::from_slice::<PollInput>(body) {
        let _ = NewPoll::from_input(poll);
    }
    if let Ok(input) = serde_json::from_slice::<BoxInput>(body) {
        let _ = ProposalBox::from_input(input);
    }
    if let Ok(site) = serde_json::from_slice::<SiteInput>(body) {
        let _ = check_site(&site);
    }
    let _ = serde_json::from_slice::<ProposalInput>(body);
    let _ = serde_json::from_slice::<VoteRequest>(body);
});
