//! A real SMTP server for the end-to-end tests and the demo: aiosmtpd (from
//! `target/smtp-sink`, see [`crate::setup::smtp_sink`]) filing each message in a Maildir.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::root;

pub struct SmtpSink {
    /// `smtp://127.0.0.1:PORT`, for the endpoint's `[email] smtp_url`.
    pub url: String,
    /// Where each message lands, one file in `new/`.
    pub maildir: PathBuf,
    process: Child,
}

impl SmtpSink {
    /// A sink on a free loopback port (`port` 0) or on `port`, filing into `maildir`.
    pub fn start(port: u16, maildir: PathBuf) -> Result<Self> {
        let port = match port {
            0 => TcpListener::bind("127.0.0.1:0")?.local_addr()?.port(),
            port => port,
        };
        let process = Command::new(root().join("target/smtp-sink/bin/python"))
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .spawn()
            .context("starting aiosmtpd (`cargo xtask setup` installs it)")?;
        let mut sink = Self {
            url: format!("smtp://127.0.0.1:{port}"),
            maildir,
            process,
        };
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(sink);
            }
            if let Some(status) = sink.process.try_wait()? {
                bail!("aiosmtpd stopped at start ({status}): is port {port} free?");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("aiosmtpd did not listen on port {port} within 10 s")
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
