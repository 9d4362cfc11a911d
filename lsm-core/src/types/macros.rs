//! Code generators for the wire types: `wire_enum!` and `wire_bitfield!` (open integer
//! newtypes with named constants) and `wire_object!` (a `{"class": ..., fields...}` struct
//! with a fast hand-written `Serialize` and a strict `Deserialize`).
//!
//! Why newtypes and not Rust enums: a newer peer may send a value this crate does not know,
//! and one odd value must not make a whole listing fail. The newtype keeps the number; `name()`
//! and `is_known()` tell whether it is one of ours.

/// Declares an open wire enum: `pub struct Name(pub repr)` plus one constant per named value.
///
/// ```text
/// wire_enum! {
///     /// Docs.
///     pub struct DiskType(i64), default UNKNOWN {
///         UNKNOWN = 0,
///         SAS = 5,
///     }
/// }
/// ```
/// Generates the constants, `ALL`, `name()`, `is_known()`, `value()`, `from_name()`,
/// `Debug`/`Display` (the name, or the number when unknown), `From` both ways, a
/// transparent `Serialize`, a `Deserialize` that also takes integers written as unsigned
/// 64-bit (as the C library writes them; `UINT64_MAX` becomes `-1`), and `Default` when a
/// `default` is given.
macro_rules! wire_enum {
    (
        $(#[$outer:meta])*
        $vis:vis struct $name:ident($repr:ident) $(, default $default:ident)? {
            $( $(#[$inner:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$outer])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name(pub $repr);

        impl $name {
            $(
                $(#[$inner])*
                #[doc = concat!("`", stringify!($variant), "` (", stringify!($value), " on the wire).")]
                pub const $variant: Self = Self($value);
            )+

            /// Every named value with its name, in declaration order.
            pub const ALL: &'static [(Self, &'static str)] = &[
                $( (Self::$variant, stringify!($variant)), )+
            ];

            /// The protocol name of this value (`"SAS"`), or `None` for a value this crate
            /// does not know.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some(stringify!($variant)), )+
                    _ => None,
                }
            }

            /// True when this value is one of the named constants.
            pub const fn is_known(self) -> bool {
                self.name().is_some()
            }

            /// The raw wire integer.
            pub const fn value(self) -> $repr {
                self.0
            }

            /// The value with this exact protocol name (`"SAS"`), if any.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL
                    .iter()
                    .find(|(_, known)| *known == name)
                    .map(|(value, _)| *value)
            }
        }

        $(
            impl Default for $name {
                fn default() -> Self {
                    Self::$default
                }
            }
        )?

        impl From<$repr> for $name {
            fn from(value: $repr) -> Self {
                Self(value)
            }
        }

        impl From<$name> for $repr {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, concat!(stringify!($name), "({})"), self.0),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{}", self.0),
                }
            }
        }

        $crate::types::macros::wire_integer_serde!($name, $repr);
    };
}

/// Declares an open wire bitfield: everything `wire_enum!` gives, where `name()` matches a
/// single named flag exactly and `is_known()` means "every set bit is named", plus
/// `contains`, `empty`, `is_empty`, `bits`, `names`, `insert`, `remove`, `|`, `|=` and `&`.
/// `Debug` prints the set flags (`VOLUME | FS | DELTA`), unknown bits in hex.
macro_rules! wire_bitfield {
    (
        $(#[$outer:meta])*
        $vis:vis struct $name:ident($repr:ident) $(, default $default:ident)? {
            $( $(#[$inner:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$outer])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name(pub $repr);

        impl $name {
            $(
                $(#[$inner])*
                #[doc = concat!("`", stringify!($variant), "` (bit value ", stringify!($value), ").")]
                pub const $variant: Self = Self($value);
            )+

            /// Every named flag with its name, in declaration order.
            pub const ALL: &'static [(Self, &'static str)] = &[
                $( (Self::$variant, stringify!($variant)), )+
            ];

            /// The union of every named flag.
            pub const KNOWN_BITS: $repr = 0 $( | $value )+;

            /// No flag set.
            pub const fn empty() -> Self {
                Self(0)
            }

            /// True when no flag is set.
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// The raw wire integer.
            pub const fn bits(self) -> $repr {
                self.0
            }

            /// The raw wire integer (same as [`Self::bits`]).
            pub const fn value(self) -> $repr {
                self.0
            }

            /// True when every bit of `other` is set in `self`.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// Sets the bits of `other`.
            pub fn insert(&mut self, other: Self) {
                self.0 |= other.0;
            }

            /// Clears the bits of `other`.
            pub fn remove(&mut self, other: Self) {
                self.0 &= !other.0;
            }

            /// The protocol name when the value is exactly one named flag, else `None`.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some(stringify!($variant)), )+
                    _ => None,
                }
            }

            /// True when every set bit is a named flag (the empty set is known).
            pub const fn is_known(self) -> bool {
                self.0 & !Self::KNOWN_BITS == 0
            }

            /// Names of the named flags that are set, in declaration order.
            pub fn names(self) -> Vec<&'static str> {
                Self::ALL
                    .iter()
                    .filter(|(flag, _)| self.contains(*flag))
                    .map(|(_, name)| *name)
                    .collect()
            }

            /// The flag with this exact protocol name (`"OK"`), if any.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL
                    .iter()
                    .find(|(_, known)| *known == name)
                    .map(|(value, _)| *value)
            }
        }

        $(
            impl Default for $name {
                fn default() -> Self {
                    Self::$default
                }
            }
        )?

        impl From<$repr> for $name {
            fn from(value: $repr) -> Self {
                Self(value)
            }
        }

        impl From<$name> for $repr {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl ::std::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, rhs: Self) -> Self {
                Self(self.0 | rhs.0)
            }
        }

        impl ::std::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, rhs: Self) {
                self.0 |= rhs.0;
            }
        }

        impl ::std::ops::BitAnd for $name {
            type Output = Self;
            fn bitand(self, rhs: Self) -> Self {
                Self(self.0 & rhs.0)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::types::macros::fmt_flags(
                    f,
                    i128::from(self.0),
                    i128::from(Self::KNOWN_BITS),
                    Self::ALL.iter().map(|(flag, name)| (i128::from(flag.0), *name)),
                )
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(self, f)
            }
        }

        $crate::types::macros::wire_integer_serde!($name, $repr);
    };
}

/// Serde for an integer newtype: serialized as the bare integer, deserialized leniently
/// (any JSON integer that fits the repr, plus u64 values above `i64::MAX` wrapped to their
/// two's-complement `i64`, which is what a C peer means when it writes `-1` as `uint64`).
macro_rules! wire_integer_serde {
    ($name:ident, $repr:ident) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&self.0, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let wide = $crate::types::macros::deserialize_wire_integer(deserializer)?;
                <$repr>::try_from(wide).map(Self).map_err(|_| {
                    <D::Error as ::serde::de::Error>::custom(format!(
                        concat!("{} is out of range for ", stringify!($name)),
                        wide
                    ))
                })
            }
        }

        impl $crate::types::macros::FromWire for $name {
            type Wire = Self;
            fn from_wire(wire: Self) -> Self {
                wire
            }
        }
    };
}

/// Declares an LSM data object: a struct with pub fields plus
/// - `Serialize` as `{"class": "<Name>", field...}`, `class` first, fields in declaration order;
/// - `Deserialize` through a derived mirror with `deny_unknown_fields`: `class` required and
///   equal to the name, every field without a default required, fields with `= default`
///   optional (missing or `null` gives the default);
/// - [`WireObject`](crate::types::WireObject).
///
/// A field whose wire key differs from the Rust name is written `name rename "key": Type`.
macro_rules! wire_object {
    (
        $(#[$outer:meta])*
        pub struct $name:ident($class:literal) {
            $(
                $(#[doc = $doc:literal])*
                $field:ident $(rename $wire:literal)? : $ty:ty $(= $default:expr)?
            ),+ $(,)?
        }
    ) => {
        $(#[$outer])*
        pub struct $name {
            $(
                $(#[doc = $doc])*
                pub $field: $ty,
            )+
        }

        impl $crate::types::WireObject for $name {
            const CLASS: &'static str = $class;
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeStruct;
                let field_count = 1 $( + $crate::types::macros::one!($field) )+;
                let mut state = serializer.serialize_struct($class, field_count)?;
                state.serialize_field("class", $class)?;
                $(
                    state.serialize_field(
                        $crate::types::macros::wire_key!($field $(, $wire)?),
                        &self.$field,
                    )?;
                )+
                state.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #[derive(::serde::Deserialize)]
                #[serde(rename = $class, deny_unknown_fields)]
                struct Mirror {
                    #[serde(rename = "class")]
                    _class: $crate::types::macros::ClassTag<$name>,
                    $(
                        $( #[serde(rename = $wire)] )?
                        $field: $crate::types::macros::mirror_type!($ty $(, $default)?),
                    )+
                }

                let mirror = <Mirror as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok($name {
                    $(
                        $field: $crate::types::macros::mirror_value!(mirror.$field $(, $default)?),
                    )+
                })
            }
        }
    };
}

/// Expands to `1` for each field (used to count fields).
macro_rules! one {
    ($field:ident) => {
        1
    };
}

/// The wire key of a field: its explicit rename, or the Rust field name.
macro_rules! wire_key {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident, $wire:literal) => {
        $wire
    };
}

/// The type a field has inside the deserialization mirror: its wire form, wrapped in
/// `Option` when the field has a default (so it may be missing or `null`).
macro_rules! mirror_type {
    ($ty:ty) => {
        <$ty as $crate::types::macros::FromWire>::Wire
    };
    ($ty:ty, $default:expr) => {
        Option<<$ty as $crate::types::macros::FromWire>::Wire>
    };
}

/// Converts a mirror field into the public field, applying the default when absent.
macro_rules! mirror_value {
    ($value:expr) => {
        $crate::types::macros::FromWire::from_wire($value)
    };
    ($value:expr, $default:expr) => {
        match $value {
            Some(wire) => $crate::types::macros::FromWire::from_wire(wire),
            None => $default,
        }
    };
}

pub(crate) use {
    mirror_type, mirror_value, one, wire_bitfield, wire_enum, wire_integer_serde, wire_key,
    wire_object,
};

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::types::WireObject;

/// How a field type is read off the wire: most types as themselves, `i64` through
/// [`WireI64`] so unsigned 64-bit spellings of negative numbers are accepted.
pub trait FromWire: Sized {
    /// The type serde deserializes.
    type Wire: de::DeserializeOwned;
    /// Converts the deserialized value.
    fn from_wire(wire: Self::Wire) -> Self;
}

impl FromWire for String {
    type Wire = String;
    fn from_wire(wire: String) -> Self {
        wire
    }
}

impl FromWire for Option<String> {
    type Wire = Option<String>;
    fn from_wire(wire: Option<String>) -> Self {
        wire
    }
}

impl FromWire for Vec<String> {
    type Wire = Vec<String>;
    fn from_wire(wire: Vec<String>) -> Self {
        wire
    }
}

impl FromWire for i64 {
    type Wire = WireI64;
    fn from_wire(wire: WireI64) -> Self {
        wire.0
    }
}

/// An `i64` that also accepts JSON integers in `(i64::MAX, u64::MAX]`, wrapped to negative.
#[derive(Debug, Clone, Copy)]
pub struct WireI64(pub i64);

impl<'de> Deserialize<'de> for WireI64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
        let wide = deserialize_wire_integer(deserializer)?;
        i64::try_from(wide)
            .map(WireI64)
            .map_err(|_| de::Error::custom(format!("{wide} is out of range for a 64-bit integer")))
    }
}

/// Reads a JSON integer as `i128`, mapping u64 values above `i64::MAX` to their
/// two's-complement `i64` (so `18446744073709551615` reads as `-1`).
pub fn deserialize_wire_integer<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<i128, D::Error> {
    struct IntegerVisitor;

    impl Visitor<'_> for IntegerVisitor {
        type Value = i128;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
            Ok(i128::from(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
            // Deliberate wrap: C writes int64 -1 stored in a uint64 as u64::MAX.
            Ok(match i64::try_from(v) {
                Ok(small) => i128::from(small),
                Err(_) => i128::from(v as i64),
            })
        }
    }

    deserializer.deserialize_i64(IntegerVisitor)
}

/// The `class` key of a mirror struct: deserializes only from the exact class name of `T`.
pub struct ClassTag<T>(PhantomData<T>);

impl<'de, T: WireObject> Deserialize<'de> for ClassTag<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
        struct ClassVisitor<T>(PhantomData<T>);

        impl<T: WireObject> Visitor<'_> for ClassVisitor<T> {
            type Value = ClassTag<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "the class name \"{}\"", T::CLASS)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<ClassTag<T>, E> {
                if v == T::CLASS {
                    Ok(ClassTag(PhantomData))
                } else {
                    Err(E::custom(format!(
                        "expected class \"{}\", found class \"{v}\"",
                        T::CLASS
                    )))
                }
            }
        }

        deserializer.deserialize_str(ClassVisitor(PhantomData))
    }
}

/// `Debug` for bitfields: `A | B | 0x400`, or `(empty)`.
pub fn fmt_flags(
    f: &mut fmt::Formatter<'_>,
    value: i128,
    known_bits: i128,
    flags: impl Iterator<Item = (i128, &'static str)>,
) -> fmt::Result {
    if value == 0 {
        return f.write_str("(empty)");
    }
    let mut first = true;
    for (flag, name) in flags {
        if flag != 0 && value & flag == flag {
            if !first {
                f.write_str(" | ")?;
            }
            f.write_str(name)?;
            first = false;
        }
    }
    // Bitfields are at most 64 bits wide: print the unknown bits as the unsigned 64-bit pattern.
    let unknown = (value & !known_bits) as u64;
    if unknown != 0 {
        if !first {
            f.write_str(" | ")?;
        }
        write!(f, "{unknown:#x}")?;
    }
    Ok(())
}
