//! The value of an `exten =>` / `same =>` line: `name[/cid],priority[(label)],App(args)`.

/// How the priority was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PrioritySpec {
    /// `1`, `2`, …
    Number(u32),
    /// `n` (k = 1) or `n+k`.
    Next(u32),
    /// `s` / `same`: the previous priority again.
    Same,
    /// `hint`: device-state hints are not dialplan steps.
    Hint,
}

/// A parsed line.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ExtenLine {
    /// Name and caller-id pattern; None for `same =>`.
    pub name: Option<(String, Option<String>)>,
    pub priority: PrioritySpec,
    pub label: Option<String>,
    pub app: String,
    pub args: String,
}

/// An error: 0-based byte offset in the value and what was expected.
type ExtenError = (usize, String);

/// Parses the value; `same` lines have no name field.
pub(super) fn parse(value: &str, same: bool) -> Result<ExtenLine, ExtenError> {
    let mut off = 0;
    let name = if same {
        None
    } else {
        let end = field_end(value).ok_or((value.len(), "',' after the extension name".to_owned()))?;
        let field = value[..end].trim();
        if field.is_empty() {
            return Err((0, "an extension name".into()));
        }
        off = end + 1;
        Some(split_cid(field))
    };
    let rest = &value[off..];
    let end = rest.find(',').ok_or((value.len(), "',' after the priority".to_owned()))?;
    let (priority, label) = priority(rest[..end].trim()).map_err(|what| (off, what))?;
    let app_off = off + end + 1;
    let (app, args) = application(value[app_off..].trim()).map_err(|what| (app_off, what))?;
    Ok(ExtenLine { name, priority, label, app, args })
}

/// The end of the first field: the first ',' outside `[ ]`.
fn field_end(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth <= 0 => return Some(i),
            _ => {}
        }
    }
    None
}

fn split_cid(field: &str) -> (String, Option<String>) {
    match field.split_once('/') {
        Some((n, cid)) if !cid.is_empty() => (n.trim().to_owned(), Some(cid.trim().to_owned())),
        _ => (field.to_owned(), None),
    }
}

fn priority(text: &str) -> Result<(PrioritySpec, Option<String>), String> {
    let (num, label) = match text.find('(') {
        Some(p) => {
            let label = text[p + 1..].strip_suffix(')').ok_or("')' closing the priority label")?;
            (text[..p].trim(), Some(label.trim().to_owned()))
        }
        None => (text, None),
    };
    let spec = match num {
        "n" | "next" => PrioritySpec::Next(1),
        "s" | "same" => PrioritySpec::Same,
        "hint" => PrioritySpec::Hint,
        n => match n.strip_prefix("n+") {
            Some(k) => PrioritySpec::Next(k.parse().map_err(|_| format!("a number after 'n+' (found '{k}')"))?),
            None => PrioritySpec::Number(
                n.parse().map_err(|_| format!("a priority: a number, 'n', 'n+N' or 's' (found '{n}')"))?,
            ),
        },
    };
    Ok((spec, label.filter(|l| !l.is_empty())))
}

fn application(text: &str) -> Result<(String, String), String> {
    let end = text.find(['(', ',']).unwrap_or(text.len());
    let name = text[..end].trim();
    if name.is_empty() {
        return Err("an application name after the priority".into());
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_alphanumeric() || *c == '_' || *c == '-')) {
        return Err(format!("an application name (found '{bad}' in '{name}')"));
    }
    let args = match text[end..].chars().next() {
        Some('(') => {
            let inner = &text[end + 1..];
            inner.strip_suffix(')').unwrap_or(inner).to_owned()
        }
        Some(',') => text[end + 1..].to_owned(),
        _ => String::new(),
    };
    Ok((name.to_owned(), args))
}
