//! Fieldless enums that JS and JSON spell as snake_case strings.

/// Declares an enum whose variants have fixed string names, with `as_str`, `from_name`,
/// `ALL`, `NAMES`, the stored form (its index) and serde impls that read and write the name. Written by hand instead
/// of derived: one string read per enum, rather than a generated visitor, keeps the wasm
/// module small.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            pub const NAMES: &'static [&'static str] = &[$($text,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        // Stored as the variant's index.
        impl $crate::codec::Codec for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                out.push(*self as u8);
            }

            fn decode(input: &mut &[u8]) -> Option<Self> {
                let (first, rest) = input.split_first()?;
                *input = rest;
                $name::ALL.get(usize::from(*first)).copied()
            }
        }

        impl $crate::json::ToJson for $name {
            fn to_json(&self, out: &mut String) {
                self.as_str().to_json(out);
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = std::borrow::Cow::<str>::deserialize(deserializer)?;
                $name::from_name(&name)
                    .ok_or_else(|| serde::de::Error::unknown_variant(&name, $name::NAMES))
            }
        }
    };
}

pub(crate) use string_enum;
