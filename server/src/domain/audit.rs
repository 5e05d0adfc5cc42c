//! Who did what: the actor of every staff action and the audit record written with it.

use std::fmt;

use civique_api::AuditAction;

use super::Error;

/// Who performs a staff action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The bearer of the configured admin token (the admin API).
    AdminToken,
    /// Someone at the endpoint's command line, by their system user name.
    CommandLine(String),
    /// A seed file being imported, by its name.
    Seed(String),
    /// A staff member signed in to the console, by their login.
    Staff(String),
    /// The bearer of one of a site's API tokens (by its name): it acts on that site only.
    ApiToken { site: String, name: String },
}

impl Actor {
    /// Refused unless this actor may act on `site`: a site's API token acts on its own site
    /// only; the admin token, the command line and seeds act on every site (a staff
    /// member's roles are checked where their requests arrive).
    pub fn may_act_on(&self, site: &str) -> Result<(), Error> {
        match self {
            Self::ApiToken { site: own, .. } if own != site => {
                Err(Error::OutsideScope { site: own.clone() })
            }
            _ => Ok(()),
        }
    }

    /// Which site's items a listing of `asked` (a site, or every site) may show this actor:
    /// a site's API token lists its own site only (and is refused another).
    pub fn listing<'a>(&'a self, asked: Option<&'a str>) -> Result<Option<&'a str>, Error> {
        match (self, asked) {
            (Self::ApiToken { site, .. }, None) => Ok(Some(site)),
            (_, Some(asked)) => self.may_act_on(asked).map(|()| Some(asked)),
            (_, None) => Ok(None),
        }
    }

    /// Refused for a site's API token: what acts on the whole endpoint (creating sites,
    /// the endpoint-wide audit log) needs the endpoint's admin token.
    pub fn may_act_on_endpoint(&self) -> Result<(), Error> {
        match self {
            Self::ApiToken { site, .. } => Err(Error::OutsideScope { site: site.clone() }),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AdminToken => f.write_str("admin"),
            Self::CommandLine(user) => write!(f, "cli:{user}"),
            Self::Seed(file) => write!(f, "seed:{file}"),
            Self::Staff(login) => write!(f, "staff:{login}"),
            Self::ApiToken { name, .. } => write!(f, "token:{name}"),
        }
    }
}

/// What a staff action is about, as `kind:id` in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Site(String),
    Poll(String),
    Thread(String),
    Comment(i64),
    Box(String),
    Proposal(i64),
    /// A staff account, by its login.
    Staff(String),
    /// A site's API token, by its name.
    Token(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Site(id) => write!(f, "site:{id}"),
            Self::Poll(id) => write!(f, "poll:{id}"),
            Self::Thread(id) => write!(f, "thread:{id}"),
            Self::Comment(id) => write!(f, "comment:{id}"),
            Self::Box(id) => write!(f, "box:{id}"),
            Self::Proposal(id) => write!(f, "proposal:{id}"),
            Self::Staff(login) => write!(f, "staff:{login}"),
            Self::Token(name) => write!(f, "token:{name}"),
        }
    }
}

/// One audit log entry to write, in the same transaction as the action it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    pub actor: String,
    pub action: AuditAction,
    pub target: String,
    pub site_id: String,
    pub reason: Option<String>,
}

impl Audit {
    pub fn new(actor: &Actor, action: AuditAction, target: Target, site_id: &str) -> Self {
        Self {
            actor: actor.to_string(),
            action,
            target: target.to_string(),
            site_id: site_id.to_owned(),
            reason: None,
        }
    }

    pub fn because(mut self, reason: Option<String>) -> Self {
        self.reason = reason;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(site: &str) -> Actor {
        Actor::ApiToken {
            site: site.into(),
            name: "Import".into(),
        }
    }

    #[test]
    fn a_sites_token_acts_and_lists_on_its_site_only() {
        let refused = Err(Error::OutsideScope {
            site: "town".into(),
        });
        assert_eq!(token("town").may_act_on("town"), Ok(()));
        assert_eq!(token("town").may_act_on("village"), refused);
        assert_eq!(token("town").may_act_on_endpoint(), refused);
        assert_eq!(token("town").listing(None), Ok(Some("town")));
        assert_eq!(token("town").listing(Some("town")), Ok(Some("town")));
        assert_eq!(
            token("town").listing(Some("village")),
            refused.map(|()| None)
        );
        assert_eq!(token("town").to_string(), "token:Import");
    }

    #[test]
    fn the_admin_token_and_the_command_line_act_everywhere() {
        for actor in [Actor::AdminToken, Actor::CommandLine("root".into())] {
            assert_eq!(actor.may_act_on("village"), Ok(()));
            assert_eq!(actor.may_act_on_endpoint(), Ok(()));
            assert_eq!(actor.listing(None), Ok(None));
            assert_eq!(actor.listing(Some("village")), Ok(Some("village")));
        }
    }
}
