//! A text column as codes into its distinct values: what `columns` holds
//! for every text column, and how it is built.

use std::sync::Arc;

use rusqlite::types::ValueRef;
use rustc_hash::FxHashMap;

use super::columns::REINDEX_MAX;
use crate::error::{Error, Result};

/// A text column as codes into its distinct values. Code 0 is NULL.
pub(crate) struct Dict {
    pub codes: Vec<u32>,
    /// Distinct per load; a refresh may add a value again under a new
    /// code (see `DictBuilder::from_dict`).
    pub values: Vec<Option<Arc<str>>>,
}

impl Dict {
    /// For each code, whether its value passes `test` (NULL never does).
    pub fn passing(&self, test: impl Fn(&str) -> bool) -> Vec<bool> {
        self.values
            .iter()
            .map(|v| v.as_deref().is_some_and(&test))
            .collect()
    }
}

#[derive(Default)]
pub(super) struct DictBuilder {
    /// Fx, not SipHash: the keys are the vault's own values, and this map
    /// takes a lookup per event and column.
    index: FxHashMap<Arc<str>, u32>,
    values: Vec<Option<Arc<str>>>,
    pub(super) codes: Vec<u32>,
}

impl DictBuilder {
    /// Goes on from `dict`'s values (so its codes stay valid), with no rows.
    /// A large dictionary (ids, resource names: nearly one value per event)
    /// is not indexed again, which would cost more than the refresh saves:
    /// its new rows' values are added even when an old code has them, and
    /// every reader of codes counts by value, not by code.
    pub(super) fn from_dict(dict: &Dict, rows: usize) -> DictBuilder {
        let index = if dict.values.len() <= REINDEX_MAX {
            dict.values
                .iter()
                .enumerate()
                .filter_map(|(code, v)| Some((v.clone()?, u32::try_from(code).ok()?)))
                .collect()
        } else {
            FxHashMap::default()
        };
        DictBuilder {
            index,
            values: dict.values.clone(),
            codes: Vec::with_capacity(rows),
        }
    }

    pub(super) fn push(&mut self, value: ValueRef<'_>) -> Result<()> {
        match value {
            ValueRef::Null => self.push_str(None),
            ValueRef::Text(bytes) => self
                .push_str(Some(std::str::from_utf8(bytes).map_err(|e| {
                    Error::Invalid(format!("a search column is not UTF-8: {e}"))
                })?)),
            other => Err(Error::Invalid(format!(
                "a search column holds {:?}, not text",
                other.data_type()
            ))),
        }
    }

    pub(super) fn push_str(&mut self, value: Option<&str>) -> Result<()> {
        if self.values.is_empty() {
            self.values.push(None);
        }
        let code = match value {
            None => 0,
            Some(text) => match self.index.get(text) {
                Some(&code) => code,
                None => {
                    let code = u32::try_from(self.values.len()).map_err(|_| {
                        Error::Invalid("too many distinct values in a search column".into())
                    })?;
                    let text: Arc<str> = text.into();
                    self.index.insert(Arc::clone(&text), code);
                    self.values.push(Some(text));
                    code
                }
            },
        };
        self.codes.push(code);
        Ok(())
    }

    pub(super) fn finish(mut self) -> Dict {
        if self.values.is_empty() {
            self.values.push(None);
        }
        Dict {
            codes: self.codes,
            values: self.values,
        }
    }
}
