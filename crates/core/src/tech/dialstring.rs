//! Dial strings: `[{var=value,…}]tech/resource`, split once into a typed value.

/// A dial string that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DialStringError {
    /// No `tech/` prefix.
    #[error("invalid dial string '{0}': expected tech/resource, e.g. sim/alice")]
    Malformed(String),
    /// The technology is not known.
    #[error("unknown channel technology '{tech}' in '{dial}' (known: {known})")]
    UnknownTech {
        /// The technology asked for.
        tech: String,
        /// The whole dial string.
        dial: String,
        /// Known technologies.
        known: String,
    },
    /// An option the tech does not know.
    #[error("unknown option '{option}' in dial string '{dial}' (known: {known})")]
    UnknownOption {
        /// The option.
        option: String,
        /// The whole dial string.
        dial: String,
        /// Known options.
        known: &'static str,
    },
    /// An option with a bad value.
    #[error("bad value for '{option}' in dial string '{dial}': {reason}")]
    BadValue {
        /// The option.
        option: String,
        /// The whole dial string.
        dial: String,
        /// Why.
        reason: String,
    },
}

/// A parsed dial string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialString {
    /// Channel variables from a leading `{a=b,c=d}` block (FreeSWITCH syntax).
    pub variables: Vec<(String, String)>,
    /// Technology, e.g. `sim`.
    pub tech: String,
    /// Everything after the first `/`.
    pub resource: String,
}

impl DialString {
    /// Splits `[{vars}]tech/resource`.
    pub fn parse(text: &str) -> Result<Self, DialStringError> {
        let malformed = || DialStringError::Malformed(text.to_owned());
        let text = text.trim();
        let (variables, rest) = match text.strip_prefix('{') {
            Some(inner) => {
                let (vars, rest) = inner.split_once('}').ok_or_else(malformed)?;
                (parse_vars(vars).ok_or_else(malformed)?, rest)
            }
            None => (Vec::new(), text),
        };
        let (tech, resource) = rest.split_once('/').ok_or_else(malformed)?;
        let tech_ok = !tech.is_empty() && tech.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !tech_ok || resource.is_empty() {
            return Err(malformed());
        }
        Ok(Self { variables, tech: tech.to_owned(), resource: resource.to_owned() })
    }

    /// The part of the resource used in channel names: up to the first `?`, `@`, `/` or `;`.
    pub fn name_base(&self) -> &str {
        let end = self.resource.find(['?', '@', '/', ';']).unwrap_or(self.resource.len());
        &self.resource[..end]
    }
}

fn parse_vars(text: &str) -> Option<Vec<(String, String)>> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=')?;
            let v = v.trim().trim_matches('\'');
            (!k.trim().is_empty()).then(|| (k.trim().to_owned(), v.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_dial_strings_split_at_the_first_slash() {
        let d = DialString::parse("sim/alice?answer=1s&dtmf=1#").unwrap();
        assert_eq!((d.tech.as_str(), d.resource.as_str(), d.name_base()), ("sim", "alice?answer=1s&dtmf=1#", "alice"));
    }

    #[test]
    fn freeswitch_variable_blocks_are_taken_off_the_front() {
        let d = DialString::parse("{origination_caller_id_number=100,x='a b'}null/x").unwrap();
        assert_eq!(
            d.variables,
            vec![("origination_caller_id_number".into(), "100".into()), ("x".into(), "a b".into())]
        );
        assert_eq!(d.tech, "null");
    }

    #[test]
    fn malformed_strings_are_named_in_the_error() {
        for bad in ["alice", "/alice", "sim/", "{a=b sim/x", "{=b}sim/x", "s im/x"] {
            let err = DialString::parse(bad).unwrap_err();
            assert!(err.to_string().contains(bad.trim()), "{bad}: {err}");
        }
    }
}
