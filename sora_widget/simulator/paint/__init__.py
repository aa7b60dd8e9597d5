"""How the simulator paints a shot's frames, straight into YUV 4:2:0 planes (see `render`).

`shot` composes one frame from parts that are prepared once per shot: the `backdrop` (all that
stands still, on a `stage` that fixes geometry, light and the camera), the `movers`, the
`weather` and the `caption`; `yuv` holds the planes and sprites they are pasted into.
"""
