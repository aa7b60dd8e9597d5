"""How the simulator makes a clip's sound track from its scene (see `render`).

`cues` says which voices a scene has (word and subject tables, as data), `voices` and `music`
synthesise them with numpy, and `track` mixes a clip's scenes into one mono track. Every voice
is a pure function of the absolute sample index and the scene's seed (a hash of the words), so
the same prompt gives the same samples, and an extension's source part is the source's own.
"""
