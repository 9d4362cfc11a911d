//! lsmd's configuration files, in libconfig syntax.
//!
//! Two files matter, both optional (a missing file means the defaults, which
//! never give a plugin root):
//! - `<confdir>/lsmd.conf`: `allow-plugin-root-privilege = true|false;`
//! - `<confdir>/pluginconf.d/<name>.conf`: `require-root-privilege = true|false;`
//!
//! [`parse_config`] reads the libconfig subset that such files use:
//! `name = value;` or `name : value;` settings (the terminator `;` or `,` is
//! optional), `#`, `//` and `/* */` comments, booleans (any case), integers
//! (decimal or `0x` hex), floats, double-quoted strings with escapes (adjacent
//! strings are joined), and nested groups `{}`, arrays `[]` and lists `()` so
//! that a file with settings lsmd does not use still parses. Unknown settings
//! are ignored; a syntax error or a known setting of the wrong type is an
//! error naming the file and the line.

use std::io;
use std::path::{Path, PathBuf};

use crate::error::{LsmdError, Result};

/// File name of the daemon configuration inside the configuration directory.
pub const DAEMON_CONFIG_FILE_NAME: &str = "lsmd.conf";
/// Directory (inside the configuration directory) holding `<plugin>.conf` files.
pub const PLUGIN_CONFIG_DIR_NAME: &str = "pluginconf.d";
/// Setting of `lsmd.conf` that lets plugins run as root at all.
pub const ALLOW_PLUGIN_ROOT_SETTING: &str = "allow-plugin-root-privilege";
/// Setting of a plugin's conf file that asks for root.
pub const REQUIRE_ROOT_SETTING: &str = "require-root-privilege";

/// One value of a libconfig file.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    /// `true` / `false` (any case).
    Bool(bool),
    /// A decimal or hexadecimal integer (an `L`/`LL` suffix is accepted).
    Integer(i64),
    /// A floating-point number.
    Float(f64),
    /// A double-quoted string (adjacent strings joined).
    String(String),
    /// `[ ... ]`: scalars of one kind.
    Array(Vec<ConfigValue>),
    /// `( ... )`: values of any kind.
    List(Vec<ConfigValue>),
    /// `{ ... }`: named settings.
    Group(Vec<ConfigSetting>),
}

impl ConfigValue {
    /// Short description of the value's kind, for error messages.
    fn kind_name(&self) -> &'static str {
        match self {
            ConfigValue::Bool(_) => "a boolean",
            ConfigValue::Integer(_) => "an integer",
            ConfigValue::Float(_) => "a float",
            ConfigValue::String(_) => "a string",
            ConfigValue::Array(_) => "an array",
            ConfigValue::List(_) => "a list",
            ConfigValue::Group(_) => "a group",
        }
    }
}

/// One `name = value` setting and the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigSetting {
    /// The setting name.
    pub name: String,
    /// Its value.
    pub value: ConfigValue,
    /// 1-based line of the name.
    pub line: usize,
}

/// A parsed configuration file: its top-level settings and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFile {
    /// The file the settings were read from (used in error messages).
    pub path: PathBuf,
    /// Top-level settings in file order.
    pub settings: Vec<ConfigSetting>,
}

impl ConfigFile {
    /// Looks up a top-level setting by name.
    pub fn setting(&self, name: &str) -> Option<&ConfigSetting> {
        self.settings.iter().find(|setting| setting.name == name)
    }

    /// Reads a boolean setting: `None` when absent, an error naming the file
    /// and line when it holds anything but `true`/`false`.
    pub fn bool_setting(&self, name: &str) -> Result<Option<bool>> {
        let Some(setting) = self.setting(name) else {
            return Ok(None);
        };
        match setting.value {
            ConfigValue::Bool(value) => Ok(Some(value)),
            ref other => Err(LsmdError::ConfigSyntax {
                path: self.path.clone(),
                line: setting.line,
                message: format!("`{name}` must be true or false, not {}", other.kind_name()),
            }),
        }
    }
}

/// Global settings from `lsmd.conf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DaemonConfig {
    /// `allow-plugin-root-privilege`: plugins may run as root at all (default false).
    pub allow_plugin_root_privilege: bool,
}

impl DaemonConfig {
    /// Path of `lsmd.conf` in `conf_dir`.
    pub fn path_in(conf_dir: &Path) -> PathBuf {
        conf_dir.join(DAEMON_CONFIG_FILE_NAME)
    }

    /// Loads `<conf_dir>/lsmd.conf`; a missing file gives the defaults.
    pub fn load(conf_dir: &Path) -> Result<Self> {
        let path = Self::path_in(conf_dir);
        match read_config_file(&path)? {
            None => Ok(Self::default()),
            Some(file) => Self::from_config_file(&file),
        }
    }

    /// Extracts the daemon settings from a parsed file.
    pub fn from_config_file(file: &ConfigFile) -> Result<Self> {
        Ok(Self {
            allow_plugin_root_privilege: file
                .bool_setting(ALLOW_PLUGIN_ROOT_SETTING)?
                .unwrap_or(false),
        })
    }
}

/// Per-plugin settings from `pluginconf.d/<name>.conf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PluginConfig {
    /// `require-root-privilege`: the plugin asks to run as root (default false).
    pub require_root_privilege: bool,
}

impl PluginConfig {
    /// Path of the conf file of plugin `plugin_name` in `conf_dir`.
    pub fn path_in(conf_dir: &Path, plugin_name: &str) -> PathBuf {
        conf_dir
            .join(PLUGIN_CONFIG_DIR_NAME)
            .join(format!("{plugin_name}.conf"))
    }

    /// Loads `<conf_dir>/pluginconf.d/<plugin_name>.conf`; a missing file gives the defaults.
    pub fn load(conf_dir: &Path, plugin_name: &str) -> Result<Self> {
        let path = Self::path_in(conf_dir, plugin_name);
        match read_config_file(&path)? {
            None => Ok(Self::default()),
            Some(file) => Self::from_config_file(&file),
        }
    }

    /// Extracts the plugin settings from a parsed file.
    pub fn from_config_file(file: &ConfigFile) -> Result<Self> {
        Ok(Self {
            require_root_privilege: file.bool_setting(REQUIRE_ROOT_SETTING)?.unwrap_or(false),
        })
    }
}

/// Reads and parses a configuration file; `Ok(None)` when it does not exist.
pub fn read_config_file(path: &Path) -> Result<Option<ConfigFile>> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_config(&text, path).map(Some),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(LsmdError::ConfigRead {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Parses libconfig text; `path` is only used to name the file in errors.
pub fn parse_config(text: &str, path: &Path) -> Result<ConfigFile> {
    let syntax_error = |line: usize, message: String| LsmdError::ConfigSyntax {
        path: path.to_path_buf(),
        line,
        message,
    };
    let tokens = tokenize(text).map_err(|error| syntax_error(error.line, error.message))?;
    let mut parser = Parser {
        tokens,
        position: 0,
        last_line: text.lines().count().max(1),
        depth: 0,
    };
    let settings = parser
        .parse_settings(None)
        .map_err(|error| syntax_error(error.line, error.message))?;
    Ok(ConfigFile {
        path: path.to_path_buf(),
        settings,
    })
}

/// A syntax problem at a line, before it is tied to a file.
#[derive(Debug)]
struct SyntaxError {
    line: usize,
    message: String,
}

fn syntax(line: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        line,
        message: message.into(),
    }
}

/// Lexical pieces of a libconfig file.
#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    /// A bare word: a setting name, a boolean or a number.
    Word(String),
    /// A double-quoted string, unescaped.
    Quoted(String),
    /// `=` or `:`.
    Assign,
    /// `;`.
    Semicolon,
    /// `,`.
    Comma,
    /// One of `{ } [ ] ( )`.
    Bracket(char),
}

impl TokenKind {
    fn describe(&self) -> String {
        match self {
            TokenKind::Word(word) => format!("`{word}`"),
            TokenKind::Quoted(_) => "a string".to_string(),
            TokenKind::Assign => "`=`".to_string(),
            TokenKind::Semicolon => "`;`".to_string(),
            TokenKind::Comma => "`,`".to_string(),
            TokenKind::Bracket(bracket) => format!("`{bracket}`"),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    line: usize,
}

fn is_word_char(character: char) -> bool {
    character.is_ascii_alphanumeric() || matches!(character, '_' | '-' | '*' | '.' | '+')
}

fn tokenize(text: &str) -> std::result::Result<Vec<Token>, SyntaxError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(character) = chars.next() {
        match character {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '#' => skip_to_end_of_line(&mut chars, &mut line),
            '/' if chars.peek() == Some(&'/') => skip_to_end_of_line(&mut chars, &mut line),
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let start_line = line;
                let mut previous = '\0';
                let mut closed = false;
                for inner in chars.by_ref() {
                    if inner == '\n' {
                        line += 1;
                    }
                    if previous == '*' && inner == '/' {
                        closed = true;
                        break;
                    }
                    previous = inner;
                }
                if !closed {
                    return Err(syntax(start_line, "unterminated `/*` comment"));
                }
            }
            '"' => {
                let value = read_quoted(&mut chars, line)?;
                tokens.push(Token {
                    kind: TokenKind::Quoted(value),
                    line,
                });
            }
            '=' | ':' => tokens.push(Token {
                kind: TokenKind::Assign,
                line,
            }),
            ';' => tokens.push(Token {
                kind: TokenKind::Semicolon,
                line,
            }),
            ',' => tokens.push(Token {
                kind: TokenKind::Comma,
                line,
            }),
            '{' | '}' | '[' | ']' | '(' | ')' => tokens.push(Token {
                kind: TokenKind::Bracket(character),
                line,
            }),
            c if is_word_char(c) => {
                let mut word = String::from(c);
                while let Some(&next) = chars.peek() {
                    if !is_word_char(next) {
                        break;
                    }
                    word.push(next);
                    chars.next();
                }
                tokens.push(Token {
                    kind: TokenKind::Word(word),
                    line,
                });
            }
            other => return Err(syntax(line, format!("unexpected character `{other}`"))),
        }
    }
    Ok(tokens)
}

fn skip_to_end_of_line(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, line: &mut usize) {
    for character in chars.by_ref() {
        if character == '\n' {
            *line += 1;
            break;
        }
    }
}

/// Reads the rest of a double-quoted string (the opening quote is consumed).
fn read_quoted(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    line: usize,
) -> std::result::Result<String, SyntaxError> {
    let mut value = String::new();
    loop {
        match chars.next() {
            None | Some('\n') => return Err(syntax(line, "unterminated string")),
            Some('"') => return Ok(value),
            Some('\\') => match chars.next() {
                Some('"') => value.push('"'),
                Some('\\') => value.push('\\'),
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some('r') => value.push('\r'),
                Some('f') => value.push('\u{c}'),
                Some('x') => {
                    let high = chars.next().and_then(|c| c.to_digit(16));
                    let low = chars.next().and_then(|c| c.to_digit(16));
                    match (high, low) {
                        (Some(high), Some(low)) => {
                            value.push(char::from((high * 16 + low) as u8));
                        }
                        _ => return Err(syntax(line, "`\\x` must be followed by two hex digits")),
                    }
                }
                Some(other) => {
                    return Err(syntax(
                        line,
                        format!("unknown escape `\\{other}` in string"),
                    ));
                }
                None => return Err(syntax(line, "unterminated string")),
            },
            Some(other) => value.push(other),
        }
    }
}

/// How deep groups, arrays and lists may nest. The parser recurses once per level, so
/// without a bound a file of 100,000 `[` overflowed the stack and killed lsmd (found with
/// the `lsmd_config` fuzz target, given a deep input); real files nest a few levels.
pub const MAX_NESTING: usize = 64;

/// Recursive-descent parser over the token list.
struct Parser {
    tokens: Vec<Token>,
    position: usize,
    /// Line reported for "unexpected end of file".
    last_line: usize,
    /// Groups, arrays and lists open at the current token.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        if token.is_some() {
            self.position += 1;
        }
        token
    }

    /// Settings until end of input (`closing == None`) or the closing `}`.
    fn parse_settings(
        &mut self,
        closing: Option<(char, usize)>,
    ) -> std::result::Result<Vec<ConfigSetting>, SyntaxError> {
        let mut settings: Vec<ConfigSetting> = Vec::new();
        loop {
            let Some(token) = self.next() else {
                return match closing {
                    None => Ok(settings),
                    Some((bracket, line)) => Err(syntax(
                        line,
                        format!("`{bracket}` opened here is never closed"),
                    )),
                };
            };
            let name = match token.kind {
                TokenKind::Bracket('}') if closing.is_some() => return Ok(settings),
                TokenKind::Word(word) if is_setting_name(&word) => word,
                other => {
                    return Err(syntax(
                        token.line,
                        format!("expected a setting name, found {}", other.describe()),
                    ));
                }
            };
            match self.next() {
                Some(Token {
                    kind: TokenKind::Assign,
                    ..
                }) => {}
                Some(other) => {
                    return Err(syntax(
                        other.line,
                        format!(
                            "expected `=` after `{name}`, found {}",
                            other.kind.describe()
                        ),
                    ));
                }
                None => return Err(syntax(token.line, format!("expected `=` after `{name}`"))),
            }
            let value = self.parse_value(token.line)?;
            if let Some(Token {
                kind: TokenKind::Semicolon | TokenKind::Comma,
                ..
            }) = self.peek()
            {
                self.position += 1;
            }
            if settings.iter().any(|existing| existing.name == name) {
                return Err(syntax(token.line, format!("duplicate setting `{name}`")));
            }
            settings.push(ConfigSetting {
                name,
                value,
                line: token.line,
            });
        }
    }

    fn parse_value(
        &mut self,
        setting_line: usize,
    ) -> std::result::Result<ConfigValue, SyntaxError> {
        let Some(token) = self.next() else {
            return Err(syntax(
                self.last_line.max(setting_line),
                "expected a value, found the end of the file",
            ));
        };
        match token.kind {
            TokenKind::Quoted(mut text) => {
                while let Some(Token {
                    kind: TokenKind::Quoted(more),
                    ..
                }) = self.peek()
                {
                    text.push_str(more);
                    self.position += 1;
                }
                Ok(ConfigValue::String(text))
            }
            TokenKind::Word(word) => parse_scalar_word(&word)
                .ok_or_else(|| syntax(token.line, format!("invalid value `{word}`"))),
            TokenKind::Bracket(bracket @ ('{' | '[' | '(')) => {
                if self.depth >= MAX_NESTING {
                    return Err(syntax(
                        token.line,
                        format!("`{bracket}` nests values more than {MAX_NESTING} levels deep"),
                    ));
                }
                self.depth += 1;
                let value = match bracket {
                    '{' => self
                        .parse_settings(Some(('{', token.line)))
                        .map(ConfigValue::Group),
                    '[' => self.parse_elements(']', token.line).map(ConfigValue::Array),
                    _ => self.parse_elements(')', token.line).map(ConfigValue::List),
                };
                self.depth -= 1;
                value
            }
            other => Err(syntax(
                token.line,
                format!("expected a value, found {}", other.describe()),
            )),
        }
    }

    /// Comma-separated values up to `closing`.
    fn parse_elements(
        &mut self,
        closing: char,
        opening_line: usize,
    ) -> std::result::Result<Vec<ConfigValue>, SyntaxError> {
        let mut elements = Vec::new();
        if let Some(Token {
            kind: TokenKind::Bracket(bracket),
            ..
        }) = self.peek()
            && *bracket == closing
        {
            self.position += 1;
            return Ok(elements);
        }
        loop {
            elements.push(self.parse_value(opening_line)?);
            match self.next() {
                Some(Token {
                    kind: TokenKind::Comma,
                    ..
                }) => {}
                Some(Token {
                    kind: TokenKind::Bracket(bracket),
                    ..
                }) if bracket == closing => return Ok(elements),
                Some(other) => {
                    return Err(syntax(
                        other.line,
                        format!(
                            "expected `,` or `{closing}`, found {}",
                            other.kind.describe()
                        ),
                    ));
                }
                None => {
                    return Err(syntax(
                        opening_line,
                        format!("`{closing}` is missing for the list opened here"),
                    ));
                }
            }
        }
    }
}

/// libconfig setting names: a letter or `*`, then letters, digits, `-`, `_`, `*`.
fn is_setting_name(word: &str) -> bool {
    let mut characters = word.chars();
    match characters.next() {
        Some(first) if first.is_ascii_alphabetic() || first == '*' => {}
        _ => return false,
    }
    characters.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '*'))
}

/// A bare word as a boolean, integer or float; `None` when it is none of them.
fn parse_scalar_word(word: &str) -> Option<ConfigValue> {
    if word.eq_ignore_ascii_case("true") {
        return Some(ConfigValue::Bool(true));
    }
    if word.eq_ignore_ascii_case("false") {
        return Some(ConfigValue::Bool(false));
    }
    let integer_text = word
        .strip_suffix("LL")
        .or_else(|| word.strip_suffix('L'))
        .unwrap_or(word);
    let (negative, unsigned) = match integer_text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (
            false,
            integer_text.strip_prefix('+').unwrap_or(integer_text),
        ),
    };
    let magnitude = if let Some(hex) = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok()
    } else if !unsigned.is_empty() && unsigned.chars().all(|c| c.is_ascii_digit()) {
        unsigned.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(magnitude) = magnitude {
        return Some(ConfigValue::Integer(if negative {
            -magnitude
        } else {
            magnitude
        }));
    }
    let looks_numeric = word
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && word.chars().any(|c| c.is_ascii_digit());
    if looks_numeric {
        return word.parse::<f64>().ok().map(ConfigValue::Float);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile> {
        parse_config(text, Path::new("/etc/lsm/test.conf"))
    }

    fn error_of(text: &str) -> (usize, String) {
        match parse(text) {
            Err(LsmdError::ConfigSyntax { line, message, .. }) => (line, message),
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
        // Found with the `lsmd_config` fuzz target: each level was one more recursion.
        for opening in ["[", "(", "{ b = "] {
            let (line, message) = error_of(&format!("a = {}", opening.repeat(200_000)));
            assert_eq!(line, 1);
            assert!(message.contains("64 levels deep"), "{message}");
        }
        let nested = format!(
            "a = {}1{};",
            "[".repeat(MAX_NESTING),
            "]".repeat(MAX_NESTING)
        );
        assert!(parse(&nested).is_ok());
        let deeper = format!(
            "a = {}1{};",
            "(".repeat(MAX_NESTING + 1),
            ")".repeat(MAX_NESTING + 1)
        );
        assert!(parse(&deeper).is_err());
    }

    #[test]
    fn shipped_lsmd_conf_allows_root() {
        let file = parse("# comment\nallow-plugin-root-privilege = true;\n").unwrap();
        assert_eq!(
            DaemonConfig::from_config_file(&file).unwrap(),
            DaemonConfig {
                allow_plugin_root_privilege: true
            }
        );
    }

    #[test]
    fn plugin_conf_reads_require_root() {
        let file = parse("require-root-privilege = false;").unwrap();
        assert!(
            !PluginConfig::from_config_file(&file)
                .unwrap()
                .require_root_privilege
        );
        let file = parse("require-root-privilege = TRUE;").unwrap();
        assert!(
            PluginConfig::from_config_file(&file)
                .unwrap()
                .require_root_privilege
        );
    }

    #[test]
    fn comments_blank_lines_colon_and_missing_terminator() {
        let text = "\n\n// C++ comment\n/* block\n   comment */\n  allow-plugin-root-privilege : True # trailing\n";
        let file = parse(text).unwrap();
        let setting = file.setting(ALLOW_PLUGIN_ROOT_SETTING).unwrap();
        assert_eq!(setting.value, ConfigValue::Bool(true));
        assert_eq!(setting.line, 6);
    }

    #[test]
    fn several_settings_on_one_line_and_unknown_settings_are_kept() {
        let file = parse("a = 1; b = \"x\" \"y\"; c = 0x1F; d = -2.5; e = 7L;").unwrap();
        assert_eq!(file.setting("a").unwrap().value, ConfigValue::Integer(1));
        assert_eq!(
            file.setting("b").unwrap().value,
            ConfigValue::String("xy".to_string())
        );
        assert_eq!(file.setting("c").unwrap().value, ConfigValue::Integer(31));
        assert_eq!(file.setting("d").unwrap().value, ConfigValue::Float(-2.5));
        assert_eq!(file.setting("e").unwrap().value, ConfigValue::Integer(7));
        assert!(DaemonConfig::from_config_file(&file).is_ok());
    }

    #[test]
    fn string_escapes() {
        let file = parse(r#"s = "a\"b\\c\n\x41";"#).unwrap();
        assert_eq!(
            file.setting("s").unwrap().value,
            ConfigValue::String("a\"b\\c\nA".to_string())
        );
    }

    #[test]
    fn groups_arrays_and_lists_parse() {
        let text = "g = { inner = true; deep = { x = 1; }; };\narr = [1, 2, 3];\nlist = (\"a\", 1, { k = false; });\nempty = [];";
        let file = parse(text).unwrap();
        assert_eq!(
            file.setting("arr").unwrap().value,
            ConfigValue::Array(vec![
                ConfigValue::Integer(1),
                ConfigValue::Integer(2),
                ConfigValue::Integer(3)
            ])
        );
        assert_eq!(
            file.setting("empty").unwrap().value,
            ConfigValue::Array(vec![])
        );
        match &file.setting("g").unwrap().value {
            ConfigValue::Group(settings) => assert_eq!(settings.len(), 2),
            other => panic!("expected a group, got {other:?}"),
        }
        assert_eq!(file.setting("list").unwrap().line, 3);
    }

    #[test]
    fn missing_value_names_the_line() {
        let (line, message) = error_of("\nallow-plugin-root-privilege = ;\n");
        assert_eq!(line, 2);
        assert!(message.contains("expected a value"), "{message}");
    }

    #[test]
    fn missing_equals_names_the_line() {
        let (line, message) = error_of("# x\n\nallow-plugin-root-privilege true;");
        assert_eq!(line, 3);
        assert!(message.contains("expected `=`"), "{message}");
    }

    #[test]
    fn bad_value_word_is_an_error() {
        let (line, message) = error_of("allow-plugin-root-privilege = yes;");
        assert_eq!(line, 1);
        assert!(message.contains("invalid value `yes`"), "{message}");
    }

    #[test]
    fn unterminated_string_and_comment_are_errors() {
        assert_eq!(error_of("a = \"abc;\n").0, 1);
        assert_eq!(error_of("a = 1;\n/* never closed\n\n").0, 2);
        assert_eq!(error_of("g = {\n a = 1;\n").0, 1);
    }

    #[test]
    fn duplicate_setting_is_an_error() {
        let (line, message) = error_of("a = true;\na = false;");
        assert_eq!(line, 2);
        assert!(message.contains("duplicate"), "{message}");
    }

    #[test]
    fn stray_characters_are_errors() {
        assert_eq!(error_of("a = true;\n@\n").0, 2);
        assert_eq!(error_of("= true;").0, 1);
    }

    #[test]
    fn wrong_type_for_known_setting_names_file_and_line() {
        let file = parse("\nallow-plugin-root-privilege = \"true\";").unwrap();
        let error = DaemonConfig::from_config_file(&file).unwrap_err();
        assert_eq!(
            error.to_string(),
            "/etc/lsm/test.conf:2: `allow-plugin-root-privilege` must be true or false, not a string"
        );
        let file = parse("require-root-privilege = 1;").unwrap();
        assert!(PluginConfig::from_config_file(&file).is_err());
    }

    #[test]
    fn syntax_error_message_names_file_and_line() {
        let error = parse("a = true;\nb = ;").unwrap_err();
        assert!(
            error.to_string().starts_with("/etc/lsm/test.conf:2: "),
            "{error}"
        );
    }

    #[test]
    fn empty_file_gives_defaults() {
        let file = parse("").unwrap();
        assert_eq!(
            DaemonConfig::from_config_file(&file).unwrap(),
            DaemonConfig::default()
        );
        assert!(!DaemonConfig::default().allow_plugin_root_privilege);
        assert!(!PluginConfig::default().require_root_privilege);
    }

    #[test]
    fn missing_files_give_defaults_and_present_files_are_read() {
        let conf_dir = tempfile::tempdir().unwrap();
        assert_eq!(
            DaemonConfig::load(conf_dir.path()).unwrap(),
            DaemonConfig::default()
        );
        assert_eq!(
            PluginConfig::load(conf_dir.path(), "sim").unwrap(),
            PluginConfig::default()
        );
        std::fs::write(
            conf_dir.path().join("lsmd.conf"),
            "allow-plugin-root-privilege = true;\n",
        )
        .unwrap();
        std::fs::create_dir(conf_dir.path().join("pluginconf.d")).unwrap();
        std::fs::write(
            conf_dir.path().join("pluginconf.d/linux.conf"),
            "require-root-privilege = true;\n",
        )
        .unwrap();
        assert!(
            DaemonConfig::load(conf_dir.path())
                .unwrap()
                .allow_plugin_root_privilege
        );
        assert!(
            PluginConfig::load(conf_dir.path(), "linux")
                .unwrap()
                .require_root_privilege
        );
        assert!(
            !PluginConfig::load(conf_dir.path(), "sim")
                .unwrap()
                .require_root_privilege
        );
    }

    #[test]
    fn malformed_file_on_disk_names_its_path() {
        let conf_dir = tempfile::tempdir().unwrap();
        std::fs::write(
            conf_dir.path().join("lsmd.conf"),
            "allow-plugin-root-privilege = ;",
        )
        .unwrap();
        let error = DaemonConfig::load(conf_dir.path()).unwrap_err().to_string();
        assert!(error.contains("lsmd.conf:1:"), "{error}");
    }
}
