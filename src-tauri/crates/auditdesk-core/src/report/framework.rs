//! The frameworks a report can follow: the report types and the reviewable
//! table (`frameworks.json`) mapping each framework's controls to the
//! evidence that shows them, in the search language.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportType {
    Sox,
    Gdpr,
    Hipaa,
    Iso27001,
    Pci,
    Custom,
}

impl ReportType {
    pub const ALL: [ReportType; 6] = [
        ReportType::Sox,
        ReportType::Gdpr,
        ReportType::Hipaa,
        ReportType::Iso27001,
        ReportType::Pci,
        ReportType::Custom,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReportType::Sox => "sox",
            ReportType::Gdpr => "gdpr",
            ReportType::Hipaa => "hipaa",
            ReportType::Iso27001 => "iso27001",
            ReportType::Pci => "pci",
            ReportType::Custom => "custom",
        }
    }

    pub fn parse(text: &str) -> Result<ReportType> {
        let t = text
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-', '_'], "");
        ReportType::ALL
            .into_iter()
            .find(|r| {
                r.name() == t
                    || (t == "iso" && *r == ReportType::Iso27001)
                    || (t == "pcidss" && *r == ReportType::Pci)
            })
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "unknown report type {text:?} (sox, gdpr, hipaa, iso27001, pci, custom)"
                ))
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ControlKind {
    Events,
    /// The events of `query`, counted per user.
    ByUser,
    /// The users with events of both `query` and `with`: duties that
    /// should be held by different people (segregation of duties).
    Conflict,
    /// The investigations (cases) with events in the period, as timelines.
    Cases,
    Completeness,
    Retention,
    Review,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub kind: ControlKind,
    #[serde(default)]
    pub query: Option<String>,
    /// The second query of a `conflict` control.
    #[serde(default)]
    pub with: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Framework {
    #[serde(rename = "type")]
    pub report_type: ReportType,
    pub name: String,
    pub version: String,
    pub scope: String,
    pub controls: Vec<Control>,
}

#[derive(Deserialize)]
struct Table {
    frameworks: Vec<Framework>,
}

const TABLE: &str = include_str!("frameworks.json");

/// The reviewable mapping of one framework's controls to evidence queries.
pub fn framework(report_type: ReportType) -> Result<Framework> {
    let table: Table = serde_json::from_str(TABLE)
        .map_err(|e| Error::Invalid(format!("report/frameworks.json: {e}")))?;
    table
        .frameworks
        .into_iter()
        .find(|f| f.report_type == report_type)
        .ok_or_else(|| Error::Invalid(format!("no framework table for {}", report_type.name())))
}
