//! Glossary text is data, and user glossaries are written by anyone: before it reaches a
//! terminal, control characters (ESC of an ANSI or OSC sequence, BEL, carriage return) and
//! bidirectional overrides are shown escaped, never written raw.

use std::borrow::Cow;

/// Characters that can move the cursor, change the screen, the clipboard or the reading
/// order when written to a terminal.
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// `text` with every unsafe character replaced by its `\u{..}` escape; tabs and newlines
/// become spaces, so one field stays one line.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| is_unsafe_char(c) || c == '\n' || c == '\t')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(' '),
            c if is_unsafe_char(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(sanitize("生成对抗网络 GAN"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_are_neutralised() {
        let hostile = "x\u{1b}]52;c;SGVsbG8=\u{7}y\u{1b}[2J\rz\u{202e}";
        let safe = sanitize(hostile);
        assert!(!safe.chars().any(is_unsafe_char), "{safe}");
        assert_eq!(
            safe,
            "x\\u{1b}]52;c;SGVsbG8=\\u{7}y\\u{1b}[2J\\u{d}z\\u{202e}"
        );
    }

    #[test]
    fn newlines_and_tabs_become_spaces() {
        assert_eq!(sanitize("a\nb\tc"), "a b c");
    }

    #[test]
    fn c1_controls_are_escaped() {
        assert_eq!(sanitize("a\u{9b}31m"), "a\\u{9b}31m");
    }
}
