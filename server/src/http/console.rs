//! The staff console (`civique-console`) on this endpoint's services.

use std::sync::Arc;

use async_trait::async_trait;
use civique_api::exports::{ExportFormat, SiteWidgets, WidgetKind};
use civique_api::staff::{
    ApiTokenView, InvitationView, Role, StaffMember, Team, WaitingComment, WaitingProposal,
};
use civique_api::{
    AuditAction, AuditEntry, BoxView, ModerationAction, ModerationInput, ProposalAction,
    ProposalModeration, ProposalStatus, ProposalView, SiteInput, StatusInput,
};
use civique_console::{Backend, Opened, Refused};

use crate::domain::site::{new_site_problem, site_problem};
use crate::domain::staff::Problem;
use crate::domain::Error as Refusal;
use crate::service::{Error, Service};
use crate::store::StoreError;

/// What the console is told of a failed operation: the endpoint's log keeps the rest.
fn refused(error: Error) -> Refused {
    match error {
        Error::Refused(Refusal::SignIn(Problem::Wrong)) => Refused::WrongCredentials,
        Error::Refused(Refusal::SignIn(Problem::Locked)) => Refused::Locked,
        Error::Refused(Refusal::SignIn(Problem::Disabled)) => Refused::Disabled,
        Error::Refused(Refusal::RateLimited) => Refused::TooMany,
        Error::Refused(Refusal::NotStaffOf) => Refused::Forbidden,
        Error::Refused(Refusal::AdminOnly) => Refused::AdminOnly,
        Error::Refused(Refusal::EndpointAdminOnly) => Refused::EndpointAdminOnly,
        Error::Refused(Refusal::BeyondSite) => Refused::BeyondSite,
        Error::Refused(Refusal::OwnAccount) => Refused::OwnAccount,
        Error::Refused(Refusal::NotFound(_)) => Refused::NotFound,
        Error::Refused(
            Refusal::Conflict(_)
            | Refusal::InvalidInput(_)
            | Refusal::EmptyText
            | Refusal::TextTooLong
            | Refusal::TooManyLinks
            | Refusal::InvalidDuplicate
            | Refusal::InvalidStatus(_),
        ) => Refused::Invalid,
        Error::Store(StoreError::Conflict(_)) => Refused::Taken,
        error => {
            tracing::error!(%error, "console request failed");
            Refused::Unavailable
        }
    }
}

/// A site's form refused: the field at fault (`problem`), for the form to say it beside it,
/// once the role is checked (the service checks it first).
fn at_field(error: Error, problem: Option<civique_api::staff::SiteField>) -> Refused {
    match (refused(error), problem) {
        (Refused::Invalid, Some(field)) => Refused::InvalidSite(field),
        (refused, _) => refused,
    }
}

struct Console(Service);

#[async_trait]
impl Backend for Console {
    async fn sign_in(
        &self,
        login: &str,
        password: &str,
        network: Option<&str>,
    ) -> Result<Opened, Refused> {
        let signed = self
            .0
            .sign_in(login, password, network)
            .await
            .map_err(refused)?;
        Ok(Opened {
            token: signed.token,
            csrf: signed.csrf,
            member: signed.member,
        })
    }

    async fn session(&self, token: &str) -> Result<Option<(StaffMember, String)>, Refused> {
        self.0.staff_session(token).await.map_err(refused)
    }

    async fn sign_out(&self, token: &str) -> Result<(), Refused> {
        self.0.sign_out(token).await.map_err(refused)
    }

    async fn sign_out_everywhere(&self, member: &StaffMember) -> Result<u64, Refused> {
        self.0.sign_out_everywhere(member).await.map_err(refused)
    }

    async fn review_queue(
        &self,
        member: &StaffMember,
        site: &str,
    ) -> Result<Vec<WaitingComment>, Refused> {
        self.0.review_queue(member, site).await.map_err(refused)
    }

    async fn site_audit(
        &self,
        member: &StaffMember,
        site: &str,
        actor: Option<&str>,
        action: Option<AuditAction>,
    ) -> Result<Vec<AuditEntry>, Refused> {
        self.0
            .site_audit(member, site, actor, action)
            .await
            .map_err(refused)
    }

    async fn unanswered(
        &self,
        member: &StaffMember,
        site: &str,
        hours: u32,
    ) -> Result<Vec<WaitingComment>, Refused> {
        self.0
            .unanswered(member, site, hours)
            .await
            .map_err(refused)
    }

    async fn answer(&self, member: &StaffMember, id: i64, text: &str) -> Result<(), Refused> {
        self.0.answer_as(member, id, text).await.map_err(refused)
    }

    async fn moderate(
        &self,
        member: &StaffMember,
        id: i64,
        action: ModerationAction,
        reason: Option<String>,
    ) -> Result<(), Refused> {
        self.0
            .moderate_as(member, id, ModerationInput { action, reason })
            .await
            .map_err(refused)
    }

    async fn team(&self, member: &StaffMember, site: &str) -> Result<Team, Refused> {
        self.0.team(member, site).await.map_err(refused)
    }

    async fn invite(
        &self,
        member: &StaffMember,
        site: &str,
        login: &str,
        role: Role,
    ) -> Result<String, Refused> {
        self.0
            .invite(member, site, login, role)
            .await
            .map_err(refused)
    }

    async fn invitation(&self, token: &str) -> Result<Option<InvitationView>, Refused> {
        self.0.invitation(token).await.map_err(refused)
    }

    async fn accept_invitation(
        &self,
        token: &str,
        name: &str,
        password: &str,
        network: Option<&str>,
    ) -> Result<InvitationView, Refused> {
        self.0
            .accept_invitation(token, name, password, network)
            .await
            .map_err(refused)
    }

    async fn site(&self, member: &StaffMember, site: &str) -> Result<SiteInput, Refused> {
        self.0.site_definition(member, site).await.map_err(refused)
    }

    async fn save_site(&self, member: &StaffMember, site: SiteInput) -> Result<(), Refused> {
        let problem = site_problem(&site).map(|(field, _)| field);
        let saved = self.0.update_site(member, site).await;
        saved.map_err(|error| at_field(error, problem))
    }

    async fn all_sites(&self, member: &StaffMember) -> Result<Vec<(String, String)>, Refused> {
        self.0.all_sites(member).await.map_err(refused)
    }

    async fn create_site(&self, member: &StaffMember, site: SiteInput) -> Result<(), Refused> {
        let problem = new_site_problem(&site).map(|(field, _)| field);
        let created = self.0.create_site_as(member, &site).await;
        created.map_err(|error| at_field(error, problem))
    }

    async fn site_widgets(&self, member: &StaffMember, site: &str) -> Result<SiteWidgets, Refused> {
        self.0.site_widgets(member, site).await.map_err(refused)
    }

    async fn export(
        &self,
        member: &StaffMember,
        site: &str,
        kind: WidgetKind,
        id: &str,
        format: ExportFormat,
    ) -> Result<String, Refused> {
        let export = self.0.export(member, site, kind, id).await;
        export.map(|export| export.file(format)).map_err(refused)
    }

    async fn set_widget_open(
        &self,
        member: &StaffMember,
        site: &str,
        kind: WidgetKind,
        id: &str,
        open: bool,
    ) -> Result<(), Refused> {
        self.0
            .set_widget_open(member, site, kind, id, open)
            .await
            .map_err(refused)
    }

    async fn waiting_proposals(
        &self,
        member: &StaffMember,
        site: &str,
    ) -> Result<Vec<WaitingProposal>, Refused> {
        self.0
            .waiting_proposals(member, site)
            .await
            .map_err(refused)
    }

    async fn moderate_proposal(
        &self,
        member: &StaffMember,
        site: &str,
        id: i64,
        action: ProposalAction,
        reason: Option<String>,
    ) -> Result<(), Refused> {
        let input = ProposalModeration { action, reason };
        self.0
            .moderate_proposal_as(member, site, id, input)
            .await
            .map_err(refused)
    }

    async fn box_for_staff(
        &self,
        member: &StaffMember,
        site: &str,
        id: &str,
    ) -> Result<(BoxView, Vec<ProposalView>), Refused> {
        self.0
            .box_for_staff(member, site, id)
            .await
            .map_err(refused)
    }

    async fn set_status(
        &self,
        member: &StaffMember,
        site: &str,
        id: i64,
        status: ProposalStatus,
        answer: Option<String>,
        duplicate_of: Option<i64>,
    ) -> Result<(), Refused> {
        let input = StatusInput {
            status,
            answer,
            duplicate_of,
            by: None,
        };
        self.0
            .set_status_as(member, site, id, input)
            .await
            .map_err(refused)
    }

    async fn api_tokens(
        &self,
        member: &StaffMember,
        site: &str,
    ) -> Result<Vec<ApiTokenView>, Refused> {
        self.0.api_tokens(member, site).await.map_err(refused)
    }

    async fn create_api_token(
        &self,
        member: &StaffMember,
        site: &str,
        name: &str,
    ) -> Result<String, Refused> {
        self.0
            .create_api_token(member, site, name)
            .await
            .map_err(refused)
    }

    async fn revoke_api_token(
        &self,
        member: &StaffMember,
        site: &str,
        id: i64,
    ) -> Result<(), Refused> {
        self.0
            .revoke_api_token(member, site, id)
            .await
            .map_err(refused)
    }

    async fn set_disabled(
        &self,
        member: &StaffMember,
        site: &str,
        id: i64,
        disabled: bool,
    ) -> Result<(), Refused> {
        self.0
            .set_account_disabled(member, site, id, disabled)
            .await
            .map_err(refused)
    }
}

/// The console's routes, on `service`.
pub fn router<S: Clone + Send + Sync + 'static>(service: Service) -> axum::Router<S> {
    civique_console::router(Arc::new(Console(service)))
}
