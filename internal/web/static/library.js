// Herald: the media library.
