//! Outgoing e-mail: the one-time codes of verified addresses, over SMTP (`[email]`).

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::EmailConfig;

/// An SMTP server waits this long at most for a message.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// Sends messages through the configured SMTP server, one connection a message.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// The mailer of `config`, or why its URL or sender is not valid.
    pub fn new(config: &EmailConfig) -> Result<Self, String> {
        let from = config
            .from
            .parse()
            .map_err(|error| format!("from {:?}: {error}", config.from))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|error| format!("smtp_url: {error}"))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        Ok(Self { transport, from })
    }

    /// Sends a plain-text message to `to`; an error never names the address (it is logged).
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        self.deliver(to, subject, body)
            .await
            .map_err(|error| error.replace(to, "<address>"))
    }

    /// [`Mailer::send`], its errors possibly naming the address.
    async fn deliver(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|error| format!("to: {error}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|error| error.to_string())?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|error| error.to_string())
    }
}
