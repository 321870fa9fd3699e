//! The destination index of a context: which extensions can match a given `destination_number`,
//! so that hunting a large context evaluates only those (plus the ones that cannot be indexed).

use std::collections::HashMap;

use super::model::{Break, FieldTests, XmlExtension};

/// Extensions by the literal prefix their first condition requires of `destination_number`, so
/// hunting a large context only evaluates extensions that can match. An extension is indexed when
/// its first condition is a plain `destination_number` test with a literal prefix, no time test,
/// no anti-actions and `break="on-false"`: when that test fails the extension contributes nothing
/// and hunting goes on, exactly as if it had been evaluated. The others are always evaluated.
#[derive(Clone, Debug, Default)]
pub struct DestIndex {
    by_prefix: HashMap<String, Vec<u32>>,
    always: Vec<u32>,
    built: bool,
}

impl DestIndex {
    /// Indexes `extensions`.
    pub fn build(extensions: &[XmlExtension]) -> Self {
        let mut index = Self { built: true, ..Self::default() };
        for (i, ext) in extensions.iter().enumerate() {
            match indexable_prefix(ext) {
                Some(prefix) => index.by_prefix.entry(prefix.to_owned()).or_default().push(i as u32),
                None => index.always.push(i as u32),
            }
        }
        index
    }

    /// Positions of the extensions that may match `dest`, in order (all of them when not built).
    pub fn candidates(&self, dest: &str, total: usize) -> Vec<u32> {
        if !self.built {
            return (0..total as u32).collect();
        }
        let mut out = self.always.clone();
        let ends = dest.char_indices().map(|(i, _)| i).skip(1).chain([dest.len()]);
        for end in ends {
            if let Some(list) = self.by_prefix.get(&dest[..end]) {
                out.extend_from_slice(list);
            }
        }
        out.sort_unstable();
        out
    }
}

fn indexable_prefix(ext: &XmlExtension) -> Option<&str> {
    let first = ext.conditions.first()?;
    let FieldTests::One(t) = &first.test.fields else { return None };
    let plain = first.test.time.is_empty() && first.anti_actions.is_empty() && first.brk == Break::OnFalse;
    (plain && t.field == "destination_number" && !t.regex.prefix.is_empty()).then_some(t.regex.prefix.as_str())
}
