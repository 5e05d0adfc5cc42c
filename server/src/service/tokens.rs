//! A site's API tokens, for automation: its administrators make them in the console (the
//! token shown once, its hash stored) and revoke them; each acts on its site only.

use civique_api::staff::{limits, ApiTokenView, StaffMember};
use civique_api::AuditAction;

use super::team::require_site_admin;
use super::{random_hex, Result, Service};
use crate::domain::audit::{Actor, Audit, Target};
use crate::domain::staff::session_key;
use crate::domain::text::required_text;
use crate::domain::Error as Refusal;
use crate::store::NewApiToken;

/// What every API token starts with, so that secret scanners and people can tell one.
pub const TOKEN_PREFIX: &str = "civ_";

impl Service {
    /// The API tokens of `site`, for its administrators.
    pub async fn api_tokens(&self, member: &StaffMember, site: &str) -> Result<Vec<ApiTokenView>> {
        require_site_admin(member, site)?;
        Ok(self.store.api_tokens(site).await?)
    }

    /// Makes an API token named `name` for `site`, as one of its administrators: the token,
    /// which the endpoint does not keep (only its hash). Audited.
    pub async fn create_api_token(
        &self,
        member: &StaffMember,
        site: &str,
        name: &str,
    ) -> Result<String> {
        require_site_admin(member, site)?;
        let name = required_text("name", name, limits::TOKEN_NAME_MAX_LEN)
            .map_err(Refusal::InvalidInput)?;
        let token = format!("{TOKEN_PREFIX}{}", random_hex::<32>()?);
        let actor = Actor::Staff(member.login.clone());
        let audit = Audit::new(
            &actor,
            AuditAction::Create,
            Target::Token(name.clone()),
            site,
        );
        let new = NewApiToken {
            key: session_key(&token),
            site_id: site.to_owned(),
            name,
            created_by: actor.to_string(),
        };
        self.store.create_api_token(&new, &audit).await?;
        Ok(token)
    }

    /// Revokes API token `id` of `site`, as one of its administrators: it stops working at
    /// once. Audited.
    pub async fn revoke_api_token(&self, member: &StaffMember, site: &str, id: i64) -> Result<()> {
        require_site_admin(member, site)?;
        let actor = Actor::Staff(member.login.clone());
        let audit = |name| Audit::new(&actor, AuditAction::Revoke, Target::Token(name), site);
        if self.store.revoke_api_token(site, id, &audit).await? {
            Ok(())
        } else {
            Err(Refusal::NotFound("API token").into())
        }
    }

    /// Who a site's API token `token` acts as, if it is one.
    pub async fn api_token_actor(&self, token: &str) -> Result<Option<Actor>> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let found = self.store.api_token(&session_key(token)).await?;
        Ok(found.map(|(site, name)| Actor::ApiToken { site, name }))
    }
}
