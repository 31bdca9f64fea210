package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * PixArt-α 1024's extra conditions ({@code added_cond_kwargs}): the image resolution [B, 2] (height, width in
 * pixels) and aspect ratio [B, 1] (height / width). Only size-conditioned configurations use them.
 */
public record SizeConditions(NDArray resolution, NDArray aspectRatio) {}
