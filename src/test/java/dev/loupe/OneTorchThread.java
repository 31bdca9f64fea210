package dev.loupe;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with libtorch on one intra-op thread and restores the previous count afterwards. Small
 * networks run many tiny ops, and on a busy two-core machine the threads of each op mostly wait for each other
 * (a step of a tiny CNN: 55 ms on one thread, 750 ms on two).
 */
public final class OneTorchThread implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(OneTorchThread.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        Engine.getInstance(); // loads libtorch
        context.getStore(NAMESPACE).put("threads", JniUtils.getNumThreads());
        JniUtils.setNumThreads(1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Integer before = context.getStore(NAMESPACE).get("threads", Integer.class);
        if (before != null) JniUtils.setNumThreads(before);
    }
}
