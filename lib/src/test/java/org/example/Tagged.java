package org.example;

import java.io.Serializable;

/** A value of a package no allow-list pattern covers by default, for the allow-list tests. */
public record Tagged(String tag) implements Serializable {
}
