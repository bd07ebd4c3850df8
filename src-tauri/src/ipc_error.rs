//! The one error shape that crosses IPC: a stable code from the core's
//! error, a message for people, and the position for a query error.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    pub code: String,
    pub message: String,
    /// 0-based character position in the query (code `query` only).
    pub position: Option<u32>,
}

impl From<auditdesk_core::Error> for IpcError {
    fn from(e: auditdesk_core::Error) -> IpcError {
        let position = match &e {
            auditdesk_core::Error::Query { position, .. } => u32::try_from(*position).ok(),
            _ => None,
        };
        IpcError {
            code: e.code().to_string(),
            message: e.to_string(),
            position,
        }
    }
}

impl IpcError {
    /// The worker thread of a command died (a panic in the core).
    pub fn crashed(e: impl std::fmt::Display) -> IpcError {
        IpcError {
            code: "internal".into(),
            message: format!("the command stopped unexpectedly: {e}"),
            position: None,
        }
    }
}
