// @ts-check
// The traits the kernel sends, as types: the shapes of sora_widget/ui/widget.py's, compare.py's,
// storyboard.py's and arena.py's synced traits and of the payloads their *_state.py modules build.
// Types only (for `tsc`): this module exports nothing at run time.

/**
 * @import { AnyModel } from "@anywidget/types"
 * @import { ErrorKind, Status } from "./format.js"
 */

/**
 * A binary trait's value: a DataView from JupyterLab's ipywidgets, a bare ArrayBuffer from
 * Colab's widget manager (blob.js reads either).
 * @typedef {DataView | ArrayBuffer} Binary
 */

/**
 * The `job` trait and a cell's `job` (widget_state.job_payload, IDLE_JOB); times in epoch ms.
 * @typedef {object} Job
 * @property {string | null} id
 * @property {Status} status
 * @property {number} progress
 * @property {number | null} started_at
 * @property {number | null} finished_at
 * @property {number | null} eta_seconds
 * @property {boolean} resumed
 * @property {boolean} indeterminate
 * @property {number | null} typical_seconds
 */

/**
 * The `error` trait and a cell's `error` (widget_state.error_payload, NO_ERROR): kind "" is none.
 * @typedef {object} ErrorState
 * @property {ErrorKind | ""} kind
 * @property {string} message
 * @property {string | null} field
 * @property {number | null} retry_at
 */

/**
 * The `backend` badge (widget_state.backend_badge).
 * @typedef {object} Backend
 * @property {string} label
 * @property {string} title
 */

/**
 * The `features` trait (engine.features.ServerSupport.payload): supported is null until known.
 * @typedef {Record<string, { supported: boolean | null, reason: string }>} Features
 */

/**
 * The `options` trait (widget_state.options): the form's choices, per model.
 * @typedef {object} Options
 * @property {string[]} models
 * @property {Record<string, string[]>} sizes
 * @property {Record<string, string[]>} size_menu
 * @property {string[]} all_sizes
 * @property {Record<string, string[]>} seconds
 * @property {Record<string, Record<string, string>>} size_labels
 * @property {string[]} all_seconds
 * @property {number} max_prompt_chars
 */

/**
 * One Advanced parameter (core.catalog.Param.payload).
 * @typedef {object} Param
 * @property {string} name
 * @property {"int" | "float" | "bool" | "choice" | "string"} kind
 * @property {string} label
 * @property {string} help
 * @property {string | number | boolean | null} default What the server uses when left empty.
 * @property {number | null} low
 * @property {number | null} high
 * @property {string[]} choices
 */

/**
 * The `advanced` trait (widget_state.advanced_payload).
 * @typedef {object} Advanced
 * @property {Param[]} parameters
 * @property {{ first: boolean, slots: string[] }} images
 */

/**
 * What the kernel sees in an uploaded image (widget_state.reference_info).
 * @typedef {object} ImageInfo
 * @property {number} width
 * @property {number} height
 * @property {boolean} matches
 * @property {boolean} readable
 * @property {string} message
 */

/**
 * The Extend button (widget_state.extend_payload).
 * @typedef {object} Extending
 * @property {string} route
 * @property {string} label
 * @property {string} title
 * @property {string} reason
 */

/**
 * The spritesheet's grid (widget_state.sprite_layout); {} when there is none.
 * @typedef {object} Sprite
 * @property {number} columns
 * @property {number} rows
 * @property {number} tile_width
 * @property {number} tile_height
 * @property {number} seconds
 */

/**
 * One video of the `history` strip (widget_state.history_item).
 * @typedef {object} HistoryItem
 * @property {string} id
 * @property {string} prompt
 * @property {Status} status
 * @property {boolean} thumbnail
 * @property {string | null} remixed_from
 */

/**
 * The media mailbox both widgets have (ui.media.MediaWidget): `media` holds the bytes named by
 * `media_key` for one update.
 * @typedef {object} MediaTraits
 * @property {string} media_key
 * @property {Binary} media
 */

/**
 * The backend badge's traits, which every widget has (a Storyboard has no `features`).
 * @typedef {object} HeaderTraits
 * @property {Partial<Backend>} backend
 * @property {Features} [features]
 */

/**
 * What a status line reads: SoraWidget's traits, or one Compare cell's fields.
 * @typedef {object} StatusTraits
 * @property {Job} job
 * @property {ErrorState} error
 */

/**
 * What a field's message is read from (context.fieldMessage).
 * @typedef {object} FieldTraits
 * @property {Record<string, string>} problems
 * @property {ErrorState} error
 */

/**
 * SoraWidget's synced traits (sora_widget/ui/widget.py).
 * @typedef {object} WidgetOwnTraits
 * @property {string} prompt
 * @property {string} model
 * @property {string} size
 * @property {string} seconds
 * @property {Binary} reference
 * @property {string} reference_name
 * @property {string} fit
 * @property {Record<string, unknown>} parameters
 * @property {string} raw_parameters
 * @property {Record<string, Binary>} images
 * @property {string} remix_prompt
 * @property {Options} options
 * @property {string} cost
 * @property {Record<string, string>} problems
 * @property {Partial<ImageInfo>} reference_info
 * @property {Partial<Advanced>} advanced
 * @property {Record<string, ImageInfo>} image_info
 * @property {Partial<Extending>} extending
 * @property {Partial<Sprite>} sprite
 * @property {string} video_path
 * @property {HistoryItem[]} history
 * @property {string} selected
 * @property {string | null} audio
 * @property {boolean} muted
 * @property {number} volume
 * @typedef {WidgetOwnTraits & HeaderTraits & StatusTraits & MediaTraits} WidgetTraits
 */

/**
 * One Compare cell (compare_state.cell_payload).
 * @typedef {object} Cell
 * @property {string} key
 * @property {"source" | "generate" | "remix" | "existing" | "part"} role
 * @property {string} label
 * @property {string | null} remix_of
 * @property {string | null} remixed_from
 * @property {string} prompt
 * @property {string} model
 * @property {string} size
 * @property {string} seconds
 * @property {string | null} video_id
 * @property {Job} job
 * @property {ErrorState} error
 * @property {string} media
 * @property {number | null} fps
 * @property {string | null} audio
 */

/**
 * Compare's synced traits (sora_widget/ui/compare.py).
 * @typedef {object} CompareOwnTraits
 * @property {Cell[]} cells
 * @property {number} columns
 * @property {ErrorState} error
 * @property {string | null} picked
 * @property {boolean} playing
 * @property {number} rate
 * @property {boolean} loop
 * @property {boolean} wipe
 * @property {number} wipe_position
 * @property {string} enlarged
 * @property {string} heard
 * @property {number} volume
 * @typedef {CompareOwnTraits & HeaderTraits & MediaTraits} CompareTraits
 */

/**
 * A storyboard-level or one shot's error (storyboard_state): null is none.
 * @typedef {{ title: string, message: string } | null} StoryError
 */

/**
 * One shot card (storyboard_state.ShotPayload). `seconds_choices` lists the durations the
 * shot's model takes (as the SoraWidget's Duration menu offers them).
 * @typedef {object} Shot
 * @property {string} key
 * @property {string} prompt
 * @property {string} seconds
 * @property {string[]} seconds_choices
 * @property {string} model
 * @property {string} size
 * @property {string} status
 * @property {number} progress
 * @property {string} eta
 * @property {string | null} video_id
 * @property {string} media
 * @property {string} continuity
 * @property {string} note
 * @property {StoryError} error
 * @property {string} cost
 * @property {boolean} changed
 */

/**
 * The stitched film (storyboard_state.FilmPayload), sent only while it is of the shots as they
 * are: `starts[i]` is the start time of shot i.
 * @typedef {object} Film
 * @property {string} media
 * @property {number} duration
 * @property {number[]} starts
 * @property {string} size
 * @property {number} fps
 */

/**
 * Storyboard's synced traits (sora_widget/ui/storyboard.py): the view only reads them.
 * @typedef {object} StoryboardOwnTraits
 * @property {string} title
 * @property {string} style
 * @property {string} continuity
 * @property {string} model
 * @property {string} size
 * @property {string} seconds
 * @property {Shot[]} shots
 * @property {Film | null} film
 * @property {string} cost
 * @property {string} total_cost
 * @property {boolean} busy
 * @property {string} phase
 * @property {StoryError} error
 * @typedef {StoryboardOwnTraits & HeaderTraits & MediaTraits} StoryboardTraits
 */

/**
 * One side of the pair on screen (arena_state): `media` is an opaque "blind:<token>" mailbox key,
 * so nothing sent tells the sides apart.
 * @typedef {object} ArenaSide
 * @property {string} media
 * @property {number | null} fps
 * @property {boolean} audio
 */

/**
 * The pair on screen, in "voting" and "revealed": `token` names it in a vote.
 * @typedef {object} ArenaPair
 * @property {string} token
 * @property {string} prompt
 * @property {ArenaSide} left
 * @property {ArenaSide} right
 */

/**
 * The names of the pair just voted, only in "revealed".
 * @typedef {object} ArenaReveal
 * @property {string} left
 * @property {string} right
 * @property {string} choice
 * @property {string[]} tags
 */

/**
 * One model's line of the leaderboard (core.ratings): low / high bound its 95% interval.
 * @typedef {object} Standing
 * @property {string} model
 * @property {number} rating
 * @property {number | null} low
 * @property {number | null} high
 * @property {number} wins
 * @property {number} losses
 * @property {number} ties
 * @property {number} both_bad
 * @property {number} votes
 */

/**
 * @typedef {"estimate" | "generating" | "voting" | "revealed" | "done"} ArenaPhase
 */

/**
 * Arena's synced traits (sora_widget/ui/arena.py): the view only reads them.
 * @typedef {object} ArenaOwnTraits
 * @property {ArenaPhase} phase
 * @property {{ videos: number, reused: number, cost: string }} estimate
 * @property {{ done: number, total: number, failed: number }} progress
 * @property {ArenaPair | null} pair
 * @property {ArenaReveal | null} reveal
 * @property {Standing[]} board
 * @property {number} votes_cast
 * @property {string[]} tags
 * @property {StoryError} error
 * @typedef {ArenaOwnTraits & HeaderTraits & MediaTraits} ArenaTraits
 */

/**
 * What a view uses of the model: anywidget's, or a saved page's stand-in (frozen.js).
 * @template {object} T
 * @typedef {Pick<AnyModel<T>, "get" | "set" | "on" | "off" | "save_changes" | "send">} Model
 */

export {};
