//! The API level of `cargo xtask test`: schemathesis (from PyPI) generates requests from the
//! OpenAPI document the endpoint serves, valid ones and invalid ones, sends them to a real
//! endpoint (debug build, SQLite, the demo content) and checks every answer against the
//! document: no server error, every status, content type, header and body as documented,
//! invalid input refused.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use crate::endpoint::{random_token, Endpoint};
use crate::{root, run};

/// The release checked against: a newer one may bring new checks, a deliberate upgrade.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";

/// The page the generated requests claim to come from, as a browser's would.
const PAGE_ORIGIN: &str = "http://town.invalid";

/// `target/schemathesis/bin/schemathesis`, installed in a virtual environment of its own.
fn installed() -> Result<PathBuf> {
    let venv = root().join("target/schemathesis");
    let program = venv.join("bin/schemathesis");
    let version = SCHEMATHESIS.split("==").nth(1).unwrap_or_default();
    let have = Command::new(&program).arg("--version").output();
    if !have.is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains(version)) {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        run(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            SCHEMATHESIS,
        ]))?;
    }
    Ok(program)
}

/// Runs schemathesis with every check but one (below) over every operation but the event
/// streams, `examples` cases each at most, with the expectations of
/// `tests/api/schemathesis.toml`; fails on any failure.
pub fn check(examples: u32) -> Result<()> {
    let program = installed()?;
    let server = Endpoint::for_tests(PAGE_ORIGIN, None)?;
    let participant = random_token();
    run(Command::new(program)
        // Where it keeps its own state (`.schemathesis/`), out of the repository.
        .current_dir(root().join("target/schemathesis"))
        .arg("--config-file")
        .arg(root().join("tests/api/schemathesis.toml"))
        .arg("run")
        .arg(format!("{}api/v1/openapi.json", server.base_url))
        .args(["--checks", "all"])
        // Input the document allows may still break a rule no schema states (an option
        // listed twice, a category of another box, a cursor the endpoint did not make): the
        // endpoint refuses it with a documented 4xx, which this check would count as a
        // failure.
        .args(["--exclude-checks", "positive_data_acceptance"])
        // Event streams never end: a request/response tool would wait for each until its
        // timeout. `server/tests/openapi.rs` and the live tests check them.
        .args(["--exclude-path-regex", "/events$"])
        .args(["--max-examples", &examples.to_string()])
        .args(["--seed", "10"])
        .args(["--workers", "2"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--generation-database", "none"])
        .args(["--request-timeout", "20"])
        .arg("--no-color")
        // What the widget sends: its page's origin and a participant token; and the staff
        // token, which the admin operations need and the resident ones ignore.
        .args(["--header", &format!("Origin: {PAGE_ORIGIN}")])
        .args(["--header", &format!("x-civique-participant: {participant}")])
        .args([
            "--header",
            &format!("Authorization: Bearer {}", server.admin_token),
        ]))
}
