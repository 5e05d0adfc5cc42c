//! The console's texts, in French (the default) and English.

use axum::http::{header, HeaderMap};

/// The language of a console page: the browser's first choice when it is English, French
/// otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn of(headers: &HeaderMap) -> Self {
        let first = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .unwrap_or("");
        if first.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn t(self, key: Key) -> &'static str {
        let (fr, en) = key.texts();
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}

/// Every text of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Console,
    SkipToContent,
    SignInTitle,
    Login,
    Password,
    SignIn,
    WrongCredentials,
    Locked,
    Disabled,
    TooMany,
    Unavailable,
    CsrfRefused,
    BackToConsole,
    HomeTitle,
    SignedInAs,
    YourSites,
    NoSite,
    EndpointAdmin,
    RoleAdmin,
    RoleModerator,
    SignOut,
    SignOutEverywhere,
    SignedOut,
    SignedOutEverywhere,
    Session,
    Forbidden,
    NotFound,
    Invalid,
    Review,
    ReviewOf,
    NothingWaiting,
    Pending,
    Reported,
    InReplyTo,
    ReportReasons,
    PublicReason,
    Approve,
    KeepPublished,
    Hide,
    Restore,
    Delete,
    DoneApprove,
    DoneHide,
    DoneRestore,
    DoneDelete,
    By,
    AdminOnly,
    Audit,
    AuditOf,
    Actor,
    Action,
    AnyAction,
    Filter,
    When,
    Target,
    Reason,
    NoEntry,
    Unanswered,
    UnansweredOf,
    UnansweredFor,
    NothingUnanswered,
    Hours,
    Show,
    OfficialReply,
    SendReply,
    ReplyRefused,
    DoneReply,
    NoSuchPage,
    Team,
    TeamOf,
    Members,
    Name,
    RoleLabel,
    State,
    AccountActive,
    AccountDisabled,
    DisableAccount,
    EnableAccount,
    You,
    Invitations,
    NoInvitation,
    InvitedBy,
    ValidUntil,
    InviteTitle,
    Invite,
    InvitationCreated,
    InvitationOnce,
    InvitationLink,
    InvalidLogin,
    DoneDisable,
    DoneEnable,
    BeyondSite,
    OwnAccount,
    InvitationGone,
    JoinTitle,
    InvitedTo,
    JoinExisting,
    NewPassword,
    ConfirmPassword,
    Join,
    FixFields,
    NameNeeded,
    PasswordLength,
    PasswordMismatch,
    WrongPassword,
    Joined,
}

impl Key {
    fn texts(self) -> (&'static str, &'static str) {
        match self {
            Key::Console => ("Console civique", "civique console"),
            Key::SkipToContent => ("Aller au contenu", "Skip to content"),
            Key::SignInTitle => ("Connexion", "Sign in"),
            Key::Login => ("Adresse e-mail", "E-mail address"),
            Key::Password => ("Mot de passe", "Password"),
            Key::SignIn => ("Se connecter", "Sign in"),
            Key::WrongCredentials => (
                "Adresse e-mail ou mot de passe incorrect.",
                "Wrong e-mail address or password.",
            ),
            Key::Locked => (
                "Trop d’essais manqués : ce compte est bloqué pendant 15 minutes. Réessayez ensuite.",
                "Too many failed attempts: this account is locked for 15 minutes. Try again then.",
            ),
            Key::Disabled => (
                "Ce compte est désactivé. Adressez-vous à l’administrateur de votre site.",
                "This account is disabled. Ask your site's administrator.",
            ),
            Key::TooMany => (
                "Trop d’essais depuis ce réseau. Patientez une minute, puis réessayez.",
                "Too many attempts from this network. Wait a minute, then try again.",
            ),
            Key::Unavailable => (
                "Le service est momentanément indisponible. Réessayez dans quelques instants.",
                "The service is unavailable for a moment. Try again shortly.",
            ),
            Key::CsrfRefused => (
                "Cette demande n’a pas pu être vérifiée (elle ne vient pas de la console, ou la page est trop ancienne). Rechargez la page, puis réessayez.",
                "This request could not be checked (it did not come from the console, or the page is too old). Reload the page, then try again.",
            ),
            Key::BackToConsole => ("Retour à la console", "Back to the console"),
            Key::HomeTitle => ("Tableau de bord", "Dashboard"),
            Key::SignedInAs => ("Connecté en tant que", "Signed in as"),
            Key::YourSites => ("Vos sites", "Your sites"),
            Key::NoSite => (
                "Vous n’avez encore de rôle sur aucun site.",
                "You have no role on any site yet.",
            ),
            Key::EndpointAdmin => (
                "Administration de tout le service : tous les sites.",
                "Administrator of the whole service: every site.",
            ),
            Key::RoleAdmin => ("administration", "administrator"),
            Key::RoleModerator => ("modération", "moderator"),
            Key::SignOut => ("Se déconnecter", "Sign out"),
            Key::SignOutEverywhere => (
                "Se déconnecter de tous mes appareils",
                "Sign out of all my devices",
            ),
            Key::SignedOut => ("Vous êtes déconnecté.", "You are signed out."),
            Key::SignedOutEverywhere => (
                "Vous êtes déconnecté de tous vos appareils. Sessions fermées : ",
                "You are signed out of all your devices. Sessions closed: ",
            ),
            Key::Session => ("Session", "Session"),
            Key::Forbidden => (
                "Vous n’avez pas de rôle sur ce site : cette page ne vous est pas ouverte.",
                "You have no role on this site: this page is not open to you.",
            ),
            Key::NotFound => (
                "Ce commentaire n’existe pas ou plus.",
                "This comment does not exist, or no longer does.",
            ),
            Key::Invalid => (
                "Cette action ne convient pas à ce commentaire (déjà supprimé ?), ou sa raison est trop longue.",
                "This action does not fit this comment (already deleted?), or its reason is too long.",
            ),
            Key::Review => ("À modérer", "To moderate"),
            Key::ReviewOf => ("À modérer : ", "To moderate: "),
            Key::NothingWaiting => (
                "Rien n’attend de modération sur ce site.",
                "Nothing waits for moderation on this site.",
            ),
            Key::Pending => ("En attente de validation", "Waiting for approval"),
            Key::Reported => ("Signalements : ", "Reports: "),
            Key::InReplyTo => ("En réponse à :", "In reply to:"),
            Key::ReportReasons => ("Raisons données :", "Reasons given:"),
            Key::PublicReason => (
                "Raison publique (affichée si vous masquez ou supprimez)",
                "Public reason (shown if you hide or delete)",
            ),
            Key::Approve => ("Publier", "Publish"),
            Key::KeepPublished => ("Garder publié", "Keep published"),
            Key::Hide => ("Masquer", "Hide"),
            Key::Restore => ("Rétablir", "Restore"),
            Key::Delete => ("Supprimer", "Delete"),
            Key::DoneApprove => ("Commentaire publié.", "Comment published."),
            Key::DoneHide => ("Commentaire masqué.", "Comment hidden."),
            Key::DoneRestore => ("Commentaire rétabli.", "Comment restored."),
            Key::DoneDelete => ("Commentaire supprimé.", "Comment deleted."),
            Key::By => ("par", "by"),
            Key::AdminOnly => (
                "Seuls les administrateurs du site y ont accès : votre rôle est la modération.",
                "Only the site's administrators have access: your role is moderation.",
            ),
            Key::Audit => ("Journal des actions", "Audit log"),
            Key::AuditOf => ("Journal des actions : ", "Audit log: "),
            Key::Actor => ("Auteur de l’action", "Actor"),
            Key::Action => ("Action", "Action"),
            Key::AnyAction => ("Toutes", "Any"),
            Key::Filter => ("Filtrer", "Filter"),
            Key::When => ("Date", "When"),
            Key::Target => ("Objet", "Target"),
            Key::Reason => ("Raison", "Reason"),
            Key::NoEntry => ("Aucune action ne correspond.", "No action matches."),
            Key::Unanswered => ("Sans réponse officielle", "Without an official answer"),
            Key::UnansweredOf => ("Sans réponse officielle : ", "Without an official answer: "),
            Key::UnansweredFor => (
                "Commentaires d’habitants restés sans réponse officielle depuis plus de ",
                "Residents' comments left without an official answer for more than ",
            ),
            Key::NothingUnanswered => (
                "Tous les habitants ont eu une réponse officielle.",
                "Every resident has had an official answer.",
            ),
            Key::Hours => ("Heures d’attente", "Hours waited"),
            Key::Show => ("Afficher", "Show"),
            Key::OfficialReply => ("Réponse officielle", "Official answer"),
            Key::SendReply => ("Répondre au nom du site", "Answer in the site's name"),
            Key::ReplyRefused => (
                "Cette réponse n’a pas pu être publiée : elle est vide, trop longue ou a trop de liens. Votre texte est conservé ci-dessous.",
                "This answer could not be published: it is empty, too long or has too many links. Your text is kept below.",
            ),
            Key::DoneReply => ("Réponse officielle publiée.", "Official answer published."),
            Key::NoSuchPage => (
                "Cette page de la console n’existe pas.",
                "This console page does not exist.",
            ),
            Key::Team => ("Équipe", "Team"),
            Key::TeamOf => ("Équipe : ", "Team: "),
            Key::Members => ("Membres de l’équipe", "Team members"),
            Key::Name => ("Nom", "Name"),
            Key::RoleLabel => ("Rôle", "Role"),
            Key::State => ("État", "State"),
            Key::AccountActive => ("actif", "active"),
            Key::AccountDisabled => ("désactivé", "disabled"),
            Key::DisableAccount => ("Désactiver", "Disable"),
            Key::EnableAccount => ("Réactiver", "Enable"),
            Key::You => ("vous", "you"),
            Key::Invitations => ("Invitations en attente", "Pending invitations"),
            Key::NoInvitation => ("Aucune invitation en attente.", "No pending invitation."),
            Key::InvitedBy => ("Invité par", "Invited by"),
            Key::ValidUntil => ("Valable jusqu’au", "Valid until"),
            Key::InviteTitle => ("Inviter un membre", "Invite a member"),
            Key::Invite => ("Créer le lien d’invitation", "Create the invitation link"),
            Key::InvitationCreated => ("Invitation créée pour", "Invitation created for"),
            Key::InvitationOnce => ("Envoyez-lui ce lien : il ne sera plus affiché, sert une seule fois et expire dans 7 jours.", "Send them this link: it will not be shown again, works once and expires in 7 days."),
            Key::InvitationLink => ("Lien d’invitation", "Invitation link"),
            Key::InvalidLogin => ("Saisissez une adresse e-mail valide, par exemple prenom.nom@mairie.fr.", "Enter a valid e-mail address, for example first.last@townhall.org."),
            Key::DoneDisable => ("Compte désactivé : ses sessions sont fermées.", "Account disabled: its sessions are closed."),
            Key::DoneEnable => ("Compte réactivé.", "Account enabled again."),
            Key::BeyondSite => ("Ce compte sert aussi sur des sites que vous n’administrez pas : seul l’administrateur du service peut le désactiver.", "This account also works on sites you do not administer: only the service's administrator can disable it."),
            Key::OwnAccount => ("Vous ne pouvez pas désactiver votre propre compte.", "You cannot disable your own account."),
            Key::InvitationGone => ("Ce lien d’invitation ne fonctionne pas : il a déjà servi, a expiré ou est incomplet. Demandez-en un nouveau.", "This invitation link does not work: it was used, has expired or is incomplete. Ask for a new one."),
            Key::JoinTitle => ("Rejoindre l’équipe", "Join the team"),
            Key::InvitedTo => ("Vous êtes invité dans l’équipe de", "You are invited to the team of"),
            Key::JoinExisting => ("Cette adresse a déjà un compte : saisissez son mot de passe pour accepter.", "This address already has an account: enter its password to accept."),
            Key::NewPassword => ("Mot de passe (12 caractères au moins)", "Password (at least 12 characters)"),
            Key::ConfirmPassword => ("Le même mot de passe, à nouveau", "The same password, again"),
            Key::Join => ("Rejoindre l’équipe", "Join the team"),
            Key::FixFields => ("Corrigez les champs signalés ci-dessous.", "Correct the fields marked below."),
            Key::NameNeeded => ("Saisissez votre nom (120 caractères au plus).", "Enter your name (120 characters at most)."),
            Key::PasswordLength => ("Le mot de passe doit compter de 12 à 256 caractères.", "The password must have 12 to 256 characters."),
            Key::PasswordMismatch => ("Les deux mots de passe ne sont pas identiques.", "The two passwords differ."),
            Key::WrongPassword => ("Mot de passe incorrect.", "Wrong password."),
            Key::Joined => ("Vous avez rejoint l’équipe. Connectez-vous.", "You joined the team. Sign in."),
        }
    }
}
