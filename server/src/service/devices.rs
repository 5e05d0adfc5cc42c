//! Device tokens earned with a proof of work (see [`crate::domain::device`]).

use civique_api::{DeviceChallenge, DeviceProof, DeviceToken};

use super::{expiry_time, now_ms, now_secs, random_bytes, random_hex, Caller, Result, Service};
use crate::domain::device::{self, Problem};
use crate::domain::Error as Refusal;
use crate::store::Nonce;

impl Service {
    /// A fresh puzzle for a device of a page some site allows; it costs the endpoint no
    /// storage until it is solved.
    pub async fn device_challenge(&self, caller: &Caller) -> Result<DeviceChallenge> {
        self.check_device_origin(caller).await?;
        let max_number = self.settings.proof_of_work;
        let number = u64::from_le_bytes(random_bytes()?) % max_number.saturating_add(1);
        let random = random_hex::<16>()?;
        let c = device::challenge(self.token_key().await?, &random, number, now_secs());
        Ok(DeviceChallenge {
            algorithm: device::ALGORITHM.to_owned(),
            challenge: c.challenge,
            salt: c.salt,
            maxnumber: max_number,
            signature: c.signature,
            expires_at: expiry_time(c.expires),
        })
    }

    /// The device token for a solved puzzle, once per puzzle; one network gets at most
    /// `newcomers_per_minute` a minute.
    pub async fn device_token(&self, caller: &Caller, proof: &DeviceProof) -> Result<DeviceToken> {
        self.check_device_origin(caller).await?;
        let key = self.token_key().await?;
        let now = now_secs();
        let expires = device::verify(
            key,
            &proof.salt,
            proof.number,
            &proof.signature,
            self.settings.proof_of_work,
            now,
        )
        .map_err(Refusal::Proof)?;
        if !self
            .store
            .spend_nonce(Nonce::DeviceProof, &proof.salt, expires, now)
            .await?
        {
            return Err(Refusal::Proof(Problem::Replayed).into());
        }
        let per_minute = self.settings.newcomers_per_minute;
        if let Some(network) = caller.network.as_deref().filter(|_| per_minute > 0) {
            let bucket = format!("device:{network}");
            if !self.store.take_token(&bucket, per_minute, now_ms()).await? {
                return Err(Refusal::RateLimited.into());
            }
        }
        let participant = device::issue(key, &random_hex::<16>()?);
        Ok(DeviceToken { participant })
    }

    /// Devices prove their work from a page: one of some site's origins.
    async fn check_device_origin(&self, caller: &Caller) -> Result<()> {
        let origin = caller.origin.as_deref().ok_or(Refusal::MissingOrigin)?;
        if self.origin_allowed(origin, None).await? {
            Ok(())
        } else {
            Err(Refusal::OriginNotAllowed.into())
        }
    }
}
