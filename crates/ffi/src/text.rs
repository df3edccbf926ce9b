//! The text buffer of a C result: every string of an action and of its diagnostics, each
//! NUL-terminated, in one allocation sized before anything is written.

use std::ffi::c_char;

use droplet_action_model::{Action, ActionStatus, Timestamp};

/// Offsets into `Storage::text` of every string a result holds. The strings of a list
/// follow one another, each with its NUL, from the list's offset.
#[derive(Default)]
pub(crate) struct TextOffsets {
    pub(crate) status_text: Option<usize>,
    pub(crate) kind: Option<usize>,
    pub(crate) resource_type: Option<usize>,
    pub(crate) region_slug: Option<usize>,
    pub(crate) started_at: Option<usize>,
    pub(crate) completed_at: Option<usize>,
    pub(crate) region_name: Option<usize>,
    pub(crate) region_slug_inner: Option<usize>,
    pub(crate) sizes: usize,
    pub(crate) features: usize,
    pub(crate) error_message: Option<usize>,
    pub(crate) error_id: Option<usize>,
    pub(crate) request_id: Option<usize>,
}

/// Room for the message that replaces an action with a NUL byte in a field.
pub(crate) const NUL_FIELD_MESSAGE_ROOM: usize = 96;

/// A string field of the action that holds a NUL byte and cannot cross as a C string.
pub(crate) struct NulInField(pub(crate) &'static str);

fn push_text(text: &mut Vec<u8>, value: &str) -> usize {
    let offset = text.len();
    text.extend_from_slice(value.as_bytes());
    text.push(0);
    offset
}

fn push_field(
    text: &mut Vec<u8>,
    value: Option<&str>,
    field: &'static str,
) -> Result<Option<usize>, NulInField> {
    match value {
        Some(value) if value.as_bytes().contains(&0) => Err(NulInField(field)),
        Some(value) => Ok(Some(push_text(text, value))),
        None => Ok(None),
    }
}

/// Diagnostic text (messages, ids from an error body) may not hold a NUL either; there a
/// visible escape replaces it rather than failing the whole result.
pub(crate) fn push_lossy(text: &mut Vec<u8>, value: Option<&str>) -> Option<usize> {
    let value = value?;
    if value.as_bytes().contains(&0) {
        Some(push_text(text, &value.replace('\0', "\\0")))
    } else {
        Some(push_text(text, value))
    }
}

/// Pushes every string of a list, one after the other; returns where the first one starts.
fn push_list(
    text: &mut Vec<u8>,
    values: Option<&Vec<String>>,
    field: &'static str,
) -> Result<usize, NulInField> {
    let start = text.len();
    for value in values.map_or(&[][..], Vec::as_slice) {
        push_field(text, Some(value), field)?;
    }
    Ok(start)
}

/// The bytes `push_action` writes for an action: every string and its NUL.
pub(crate) fn action_text_len(action: &Action) -> usize {
    let field = |value: Option<&str>| value.map_or(0, |v| v.len() + 1);
    let list = |values: Option<&Vec<String>>| {
        values.map_or(0, |values| values.iter().map(|v| v.len() + 1).sum())
    };
    let region = action.region.as_ref().map_or(0, |region| {
        field(region.name.as_deref())
            + field(region.slug.as_deref())
            + list(region.sizes.as_ref())
            + list(region.features.as_ref())
    });
    field(action.status.as_ref().map(ActionStatus::as_str))
        + field(action.kind.as_deref())
        + field(action.resource_type.as_deref())
        + field(action.region_slug.as_deref())
        + field(action.started_at.as_ref().map(Timestamp::as_str))
        + field(action.completed_at.as_ref().map(Timestamp::as_str))
        + region
}

/// The pointers to the strings of a list that `push_list` wrote from `start`.
pub(crate) fn list_pointers(
    base: *const u8,
    start: usize,
    values: Option<&Vec<String>>,
    out: &mut Vec<*const c_char>,
) {
    let mut offset = start;
    for value in values.map_or(&[][..], Vec::as_slice) {
        // SAFETY: `push_list` wrote these strings from `start` on, each followed by its
        // NUL, into the buffer `base` points to, which is not written to any more.
        out.push(unsafe { base.add(offset) }.cast());
        offset += value.len() + 1;
    }
}

pub(crate) fn push_action(
    text: &mut Vec<u8>,
    offsets: &mut TextOffsets,
    action: &Action,
) -> Result<(), NulInField> {
    offsets.status_text = push_field(
        text,
        action.status.as_ref().map(ActionStatus::as_str),
        "action.status",
    )?;
    offsets.kind = push_field(text, action.kind.as_deref(), "action.type")?;
    offsets.resource_type = push_field(
        text,
        action.resource_type.as_deref(),
        "action.resource_type",
    )?;
    offsets.region_slug = push_field(text, action.region_slug.as_deref(), "action.region_slug")?;
    offsets.started_at = push_field(
        text,
        action.started_at.as_ref().map(Timestamp::as_str),
        "action.started_at",
    )?;
    offsets.completed_at = push_field(
        text,
        action.completed_at.as_ref().map(Timestamp::as_str),
        "action.completed_at",
    )?;
    if let Some(region) = &action.region {
        offsets.region_name = push_field(text, region.name.as_deref(), "action.region.name")?;
        offsets.region_slug_inner = push_field(text, region.slug.as_deref(), "action.region.slug")?;
        offsets.sizes = push_list(text, region.sizes.as_ref(), "action.region.sizes")?;
        offsets.features = push_list(text, region.features.as_ref(), "action.region.features")?;
    }
    Ok(())
}
