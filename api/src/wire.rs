//! Wire enums are written once: one list gives their serde names, `as_str` and `FromStr`.

use std::fmt;

/// A text that names no value of a wire enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// The enum, e.g. `ProposalStatus`.
    pub kind: &'static str,
    pub name: String,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a {}", self.name, self.kind)
    }
}

impl std::error::Error for UnknownName {}

/// Declares a unit enum whose variants travel as the given strings: serde uses them, and so
/// do `as_str` (storage, query strings, CSS hooks) and `FromStr` (the way back). `ALL`
/// lists the variants in declaration order.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$variant_meta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name on the wire (and in the database).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = $crate::wire::UnknownName;

            fn from_str(name: &str) -> Result<Self, Self::Err> {
                match name {
                    $($text => Ok(Self::$variant),)+
                    _ => Err($crate::wire::UnknownName {
                        kind: stringify!($name),
                        name: name.to_owned(),
                    }),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    use crate::{CommentStatus, PollKind, ProposalStatus};

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for status in ProposalStatus::ALL {
            assert_eq!(status.as_str().parse::<ProposalStatus>(), Ok(*status));
        }
        assert_eq!(ProposalStatus::UnderReview.as_str(), "under_review");
        assert_eq!(PollKind::Multiple.to_string(), "multiple");
        let error = "maybe".parse::<CommentStatus>().unwrap_err();
        assert_eq!(error.to_string(), "\"maybe\" is not a CommentStatus");
    }
}
