// Herald: the composer: drafting, previews per platform, validation and scheduling.
