package io.tracestitch.model;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The version of a serialized type's format: bump it with every change to what the type writes
 * (components, their order or types, enum constants, permitted records), so that a savepoint of the
 * old format is recognised as such instead of being misread. Absent means 1. {@code SchemaPinsTest}
 * fails when a type's format changes and its version does not.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface SchemaVersion {
    int value();
}
