//! Free-text fields: trimming, NFC, forbidden characters and lengths.

use crate::error::FieldError;
use unicode_normalization::UnicodeNormalization;

/// Whether a field may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lines {
    /// One line: every control character is rejected.
    Single,
    /// Several lines (the cover note): line feeds and tabs are kept, CR LF
    /// and lone CR become LF; other control characters are rejected.
    Multi,
}

/// Characters rejected in every text field besides C0/C1 controls:
/// bidirectional embeddings, overrides and isolates (U+202A-U+202E,
/// U+2066-U+2069), which can make a cover page show a different sender or
/// number than the text holds ("Trojan Source", CVE-2021-42574), and the
/// Unicode line and paragraph separators.
fn is_forbidden_format(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// Normalise one text field: trim, NFC, check characters and length.
/// Returns `Ok(None)` for an absent or blank value.
pub(crate) fn clean(
    field: &'static str,
    label: &str,
    raw: Option<&str>,
    max_chars: usize,
    lines: Lines,
) -> Result<Option<String>, FieldError> {
    let Some(raw) = raw else { return Ok(None) };
    // Bound the work before normalising: a canonical composition maps at
    // most 4 scalars to 1 and a scalar is at most 4 bytes of UTF-8, so
    // more than 16 bytes per allowed character cannot fit (surrounding
    // whitespace aside, which no honest form pads by kilobytes).
    if raw.len() > max_chars.saturating_mul(16) {
        return Err(too_long(field, label, max_chars));
    }
    let unified = match lines {
        Lines::Single => raw.to_owned(),
        Lines::Multi => raw.replace("\r\n", "\n").replace('\r', "\n"),
    };
    let text: String = unified.trim().nfc().collect();
    if text.is_empty() {
        return Ok(None);
    }
    for c in text.chars() {
        let allowed_control = lines == Lines::Multi && (c == '\n' || c == '\t');
        if (c.is_control() && !allowed_control) || is_forbidden_format(c) {
            let what = if c == '\n' || c == '\r' {
                "line breaks"
            } else {
                "control characters"
            };
            return Err(FieldError::new(
                field,
                format!("The {label} contains {what}, which are not allowed."),
                format!("Remove {what} from the {label}."),
            ));
        }
    }
    if text.chars().count() > max_chars {
        return Err(too_long(field, label, max_chars));
    }
    Ok(Some(text))
}

fn too_long(field: &'static str, label: &str, max: usize) -> FieldError {
    FieldError::new(
        field,
        format!("The {label} is too long."),
        format!("Shorten the {label} to at most {max} characters."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nfc_and_trim() {
        let got = clean("x", "name", Some("  Jose\u{301}  "), 10, Lines::Single).unwrap();
        assert_eq!(got.as_deref(), Some("Jos\u{e9}"));
        assert_eq!(
            clean("x", "name", Some("   "), 10, Lines::Single).unwrap(),
            None
        );
    }

    #[test]
    fn controls() {
        assert!(clean("x", "name", Some("a\u{7}b"), 10, Lines::Single).is_err());
        assert!(clean("x", "name", Some("a\nb"), 10, Lines::Single).is_err());
        assert_eq!(
            clean("x", "note", Some("a\r\nb\rc\td"), 10, Lines::Multi)
                .unwrap()
                .as_deref(),
            Some("a\nb\nc\td")
        );
        assert!(clean("x", "note", Some("a\u{202e}b"), 10, Lines::Multi).is_err());
    }

    #[test]
    fn length_counts_scalars_not_bytes() {
        let s = "\u{e9}".repeat(200);
        assert!(s.len() == 400);
        assert!(clean("x", "subject", Some(&s), 200, Lines::Single).is_ok());
        assert!(
            clean(
                "x",
                "subject",
                Some(&"\u{e9}".repeat(201)),
                200,
                Lines::Single
            )
            .is_err()
        );
        // Decomposed input counts after composition.
        let decomposed = "e\u{301}".repeat(200);
        assert!(clean("x", "subject", Some(&decomposed), 200, Lines::Single).is_ok());
    }

    proptest! {
        #[test]
        fn accepted_text_is_nfc_clean_and_short(s in "\\PC{0,300}", max in 1usize..250) {
            if let Ok(Some(t)) = clean("x", "f", Some(&s), max, Lines::Single) {
                prop_assert!(t.chars().count() <= max);
                prop_assert!(t.chars().all(|c| !c.is_control()));
                prop_assert!(unicode_normalization::is_nfc(&t));
                prop_assert_eq!(t.trim(), t.as_str());
            }
        }

        #[test]
        fn any_control_char_is_rejected(prefix in "[a-z]{1,5}", c in proptest::char::range('\u{0}', '\u{1f}'), suffix in "[a-z]{1,5}") {
            let s = format!("{prefix}{c}{suffix}");
            prop_assert!(clean("x", "f", Some(&s), 100, Lines::Single).is_err());
        }
    }
}
