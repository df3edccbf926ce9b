//! The names of earlier versions, kept as aliases of the names that replaced them (one word
//! per concept across C, C++, Rust, Python and Node.js: get, wait, wait many, options,
//! response).

#![allow(deprecated)]

use crate::{ActionResponse, CallOptions, Client, Error, WaitOptions};

/// Deprecated: [`ActionResponse`].
#[deprecated(note = "renamed ActionResponse")]
pub type ActionAnswer = ActionResponse;

/// Deprecated: [`crate::response_from_parts`].
///
/// # Errors
/// As [`crate::response_from_parts`].
#[deprecated(note = "renamed response_from_parts")]
pub fn answer_from_parts(
    status: u16,
    headers: &http::HeaderMap,
    body: Vec<u8>,
) -> Result<ActionResponse, Error> {
    crate::response_from_parts(status, headers, body)
}

impl Client {
    /// Deprecated: [`Client::get`].
    ///
    /// # Errors
    /// As [`Client::get`].
    #[deprecated(note = "renamed get")]
    pub fn get_droplet_action(
        &self,
        droplet_id: i64,
        action_id: i64,
    ) -> Result<ActionResponse, Error> {
        self.get(droplet_id, action_id)
    }

    /// Deprecated: [`Client::get_with_options`].
    ///
    /// # Errors
    /// As [`Client::get_with_options`].
    #[deprecated(note = "renamed get_with_options")]
    pub fn get_droplet_action_with(
        &self,
        droplet_id: i64,
        action_id: i64,
        options: &CallOptions,
    ) -> Result<ActionResponse, Error> {
        self.get_with_options(droplet_id, action_id, options)
    }

    /// Deprecated: [`Client::wait`].
    ///
    /// # Errors
    /// As [`Client::wait`].
    #[deprecated(note = "renamed wait")]
    pub fn wait_for_droplet_action(
        &self,
        droplet_id: i64,
        action_id: i64,
        options: WaitOptions,
    ) -> Result<ActionResponse, Error> {
        self.wait(droplet_id, action_id, options)
    }

    /// Deprecated: [`Client::wait_many`].
    #[deprecated(note = "renamed wait_many")]
    pub fn wait_for_droplet_actions(
        &self,
        actions: &[(i64, i64)],
        options: WaitOptions,
    ) -> Vec<Result<ActionResponse, Error>> {
        self.wait_many(actions, options)
    }
}
