/**
 * Score boosting (Qdrant 1.14's {@code formula} query): the expression model ({@link
 * io.quiver.engine.formula.Expression}) and its evaluation over prefetched points ({@link
 * io.quiver.engine.formula.Formula}). Everything here is immutable and threadsafe; nothing here reads storage (the
 * caller hands in the points' payloads).
 */
package io.quiver.engine.formula;
