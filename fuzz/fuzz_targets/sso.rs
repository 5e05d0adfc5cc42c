//! Site account tokens: nothing but a token signed with the site's secret is accepted, a
//! signed one is accepted exactly when its claims are well formed and current, and changing
//! any byte of a signed token, or of a participant token the endpoint issued, refuses it.

#![no_main]

use civique_server::domain::sso::{issue, issued_key, sign, verify, Claims};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "fuzz-secret-0123456789abcdef0123456789";
const KEY: &str = "endpoint-key";
const NOW: i64 = 1_800_000_000;

fuzz_target!(|input: (&str, &str, u16, u8)| {
    let (text, claims, at, byte) = input;
    // Arbitrary text is no token, nor an issued participant token: accepting one would be a
    // forgery.
    assert!(
        verify(text, "town", SECRET, NOW).is_err(),
        "{text:?} accepted"
    );
    assert!(
        issued_key(KEY, "town", text, NOW).is_err(),
        "{text:?} issued"
    );

    // Signed claims: accepted exactly when they are well formed, for this site and current.
    let token = sign(claims, SECRET);
    let verified = verify(&token, "town", SECRET, NOW);
    if let Ok(parsed) = &verified {
        let expected: Claims = serde_json::from_str(claims).expect("accepted claims parse");
        assert_eq!(parsed, &expected);
        assert_eq!(parsed.site, "town");
        assert!(parsed.exp > NOW && parsed.exp <= NOW + 3600);
    }
    assert!(verify(&token, "town", "another-secret-0123456789abcdef01", NOW).is_err());
    if let Some(changed) = mutated(&token, at, byte) {
        assert!(
            verify(&changed, "town", SECRET, NOW).is_err(),
            "{changed:?} accepted"
        );
    }

    // Issued participant tokens: one key per user, and no byte can change.
    let (issued, _) = issue(KEY, "town", claims, NOW);
    let key = issued_key(KEY, "town", &issued, NOW).expect("an issued token is accepted");
    assert_eq!(
        issued_key(KEY, "town", &issue(KEY, "town", claims, NOW + 1).0, NOW + 1),
        Ok(key)
    );
    if let Some(changed) = mutated(&issued, at, byte) {
        assert!(
            issued_key(KEY, "town", &changed, NOW).is_err(),
            "{changed:?} accepted"
        );
    }
});

/// `token` with its byte at `at` (modulo its length) replaced by `byte`, when that changes it.
fn mutated(token: &str, at: u16, byte: u8) -> Option<String> {
    let mut bytes = token.as_bytes().to_vec();
    let at = usize::from(at) % bytes.len();
    (bytes[at] != byte).then(|| {
        bytes[at] = byte;
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
