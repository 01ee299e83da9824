"""Model.compile / fit / evaluate / predict and the batch methods, on small generated problems."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras import losses, metrics, optimizers, regularizers
from graphkeras.engine.input_layer import Input
from graphkeras.engine.sequential import Sequential
from graphkeras.engine.training import Model
from graphkeras.layers import Concatenate, Dense, Dropout


def blobs(n=200, seed=0):
    """Two Gaussian blobs in 4-D, labels 0/1 (linearly separable with margin)."""
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, size=n)
    x = rng.randn(n, 4).astype('float32') * 0.5 + (2 * y[:, None] - 1).astype('float32')
    return x, y.astype('float32')


def binary_model(hidden=8, seed_name=''):
    inputs = Input(shape=(4,), name='features' + seed_name)
    h = Dense(hidden, activation='relu')(inputs)
    outputs = Dense(1, activation='sigmoid', name='probability' + seed_name)(h)
    return Model(inputs, outputs)


def per_sample_bce(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=-1)


def test_fit_reduces_loss_and_reaches_accuracy():
    x, y = blobs()
    model = binary_model()
    model.compile(optimizers.Adam(lr=0.05), 'binary_crossentropy', metrics=['accuracy'])
    history = model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0] * 0.5
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.95
    assert model.metrics_names == ['loss', 'accuracy']
    predictions = model.predict(x, batch_size=50)
    assert predictions.shape == (200, 1)
    assert np.mean((predictions[:, 0] > 0.5) == (y > 0.5)) == pytest.approx(accuracy)


def test_softmax_classifier_with_sequential_reaches_accuracy():
    rng = np.random.RandomState(1)
    centers = np.eye(3, 5, dtype='float32') * 3
    labels = rng.randint(0, 3, size=300)
    x = centers[labels] + rng.randn(300, 5).astype('float32') * 0.5
    y = np.eye(3, dtype='float32')[labels]
    model = Sequential([Dense(16, activation='relu', input_dim=5), Dropout(0.1),
                        Dense(3, activation='softmax')])
    model.compile(optimizers.SGD(lr=0.1), 'categorical_crossentropy', metrics=['acc'])
    history = model.fit(x, y, epochs=10, batch_size=16, verbose=0)
    assert history.history['acc'][-1] > 0.95
    assert history.history['loss'][-1] < history.history['loss'][0]


def test_key_is_the_metric_string_passed():
    x, y = blobs(40)
    model = binary_model()
    model.compile('sgd', 'binary_crossentropy',
                  metrics=['acc', 'accuracy', 'mae', metrics.binary_accuracy])
    assert model.metrics_names == ['loss', 'acc', 'accuracy', 'mae', 'binary_accuracy']
    values = model.evaluate(x, y, verbose=0)
    # Same quantity under three names.
    assert values[1] == pytest.approx(values[2]) == pytest.approx(values[4])


def test_validation_split_holds_out_last_samples():
    x, y = blobs(100)
    model = binary_model()
    model.compile('sgd', 'binary_crossentropy', metrics=['accuracy'])
    history = model.fit(x, y, epochs=2, batch_size=10, validation_split=0.3, verbose=0)
    assert set(history.history) == {'loss', 'accuracy', 'val_loss', 'val_accuracy'}
    val_loss, val_acc = model.evaluate(x[70:], y[70:], verbose=0)
    assert history.history['val_loss'][-1] == pytest.approx(val_loss, rel=1e-5)
    assert history.history['val_accuracy'][-1] == pytest.approx(val_acc)


def test_validation_data_and_validation_freq():
    x, y = blobs(60)
    model = binary_model()
    model.compile('sgd', 'binary_crossentropy')
    seen = []
    from graphkeras.callbacks import LambdaCallback
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(sorted(logs)))
    model.fit(x, y, epochs=4, verbose=0, validation_data=(x[:20], y[:20]),
              validation_freq=[2, 4], callbacks=[record])
    assert seen == [['loss'], ['loss', 'val_loss'], ['loss'], ['loss', 'val_loss']]
    with pytest.raises(ValueError, match='validation_data'):
        model.fit(x, y, epochs=1, verbose=0, validation_data=(x,))


def test_sample_weight_weights_the_mean_as_keras_2():
    x, y = blobs(30)
    model = binary_model()
    model.compile('sgd', 'binary_crossentropy')
    weights = np.linspace(0, 2, 30).astype('float32')
    weights[:5] = 0
    losses = per_sample_bce(y[:, None], model.predict(x))
    # Keras 2.2: mean(w * loss) / fraction of non-zero weights.
    expected = np.mean(weights * losses) / np.mean(weights != 0)
    got = model.evaluate(x, y, sample_weight=weights, batch_size=30, verbose=0)
    assert got == pytest.approx(expected, rel=1e-5)
    assert model.evaluate(x, y, batch_size=30, verbose=0) == pytest.approx(losses.mean(),
                                                                          rel=1e-5)


def test_class_weight_in_train_on_batch():
    x, y = blobs(20)
    model = binary_model()
    model.compile('sgd', 'binary_crossentropy')
    losses = per_sample_bce(y[:, None], model.predict(x))
    weights = np.where(y > 0.5, 3.0, 0.5)
    got = model.train_on_batch(x, y, class_weight={0: 0.5, 1: 3.0})
    # The returned loss is computed before the update.
    assert got == pytest.approx(np.mean(weights * losses), rel=1e-5)
    with pytest.raises(ValueError, match='class_weight'):
        model.train_on_batch(x, y, class_weight={0: 1.0})


def test_temporal_sample_weight():
    rng = np.random.RandomState(0)
    x = rng.randn(8, 3, 2).astype('float32')
    y = rng.randn(8, 3, 1).astype('float32')
    inputs = Input(shape=(3, 2))
    model = Model(inputs, Dense(1)(inputs))
    model.compile('sgd', 'mse', sample_weight_mode='temporal')
    weights = rng.rand(8, 3).astype('float32')
    squared = ((model.predict(x) - y) ** 2).mean(axis=-1)
    expected = np.mean(squared * weights)
    got = model.evaluate(x, y, sample_weight=weights, verbose=0)
    assert got == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match='2D sample_weight'):
        model.evaluate(x, y, sample_weight=weights[:, 0], verbose=0)


def two_output_model():
    first = Input(shape=(3,), name='first')
    second = Input(shape=(2,), name='second')
    merged = Concatenate()([first, second])
    main = Dense(1, activation='sigmoid', name='main')(merged)
    aux = Dense(2, name='aux')(first)
    return Model([first, second], [main, aux])


def test_multi_output_losses_weights_metric_names_and_dict_data():
    rng = np.random.RandomState(0)
    x1 = rng.randn(16, 3).astype('float32')
    x2 = rng.randn(16, 2).astype('float32')
    y_main = (rng.rand(16, 1) > 0.5).astype('float32')
    y_aux = rng.randn(16, 2).astype('float32')
    model = two_output_model()
    model.compile('sgd', loss={'main': 'binary_crossentropy', 'aux': 'mse'},
                  loss_weights={'main': 1.0, 'aux': 0.2},
                  metrics={'main': ['accuracy']}, weighted_metrics=['mae'])
    assert model.metrics_names == ['loss', 'main_loss', 'aux_loss', 'main_accuracy',
                                   'main_weighted_mae', 'aux_weighted_mae']
    values = model.evaluate({'first': x1, 'second': x2}, {'main': y_main, 'aux': y_aux},
                            batch_size=16, verbose=0)
    main_pred, aux_pred = model.predict([x1, x2])
    main_loss = per_sample_bce(y_main, main_pred).mean()
    aux_loss = ((aux_pred - y_aux) ** 2).mean()
    assert values[1] == pytest.approx(main_loss, rel=1e-5)
    assert values[2] == pytest.approx(aux_loss, rel=1e-5)
    assert values[0] == pytest.approx(main_loss + 0.2 * aux_loss, rel=1e-5)
    with pytest.raises(ValueError, match='No data provided for "second"'):
        model.evaluate({'first': x1}, {'main': y_main, 'aux': y_aux}, verbose=0)


def test_output_without_loss_is_skipped():
    rng = np.random.RandomState(0)
    model = two_output_model()
    with pytest.warns(UserWarning, match='aux'):
        model.compile('sgd', loss={'main': 'binary_crossentropy'})
    x = [rng.randn(4, 3).astype('float32'), rng.randn(4, 2).astype('float32')]
    loss, main_loss = model.train_on_batch(x, np.ones((4, 1), 'float32'))
    assert loss == pytest.approx(main_loss)
    assert model.metrics_names == ['loss', 'main_loss']


def test_regularization_losses_join_the_total_loss():
    x, y = blobs(20)
    inputs = Input(shape=(4,))
    layer = Dense(1, activation='sigmoid', kernel_regularizer=regularizers.l2(0.5))
    model = Model(inputs, layer(inputs))
    model.compile('sgd', 'binary_crossentropy')
    data_loss = per_sample_bce(y[:, None], model.predict(x)).mean()
    penalty = 0.5 * np.sum(K.get_value(layer.kernel) ** 2)
    assert model.evaluate(x, y, batch_size=20, verbose=0) == pytest.approx(
        data_loss + penalty, rel=1e-5)


def test_errors_name_the_input_and_the_problem():
    x, y = blobs(10)
    model = binary_model()
    with pytest.raises(RuntimeError, match='compile'):
        model.fit(x, y, verbose=0)
    model.compile('sgd', 'binary_crossentropy')
    with pytest.raises(ValueError, match=r'expected features to have shape \(4,\)'):
        model.fit(x[:, :3], y, verbose=0)
    with pytest.raises(ValueError, match='expected features to have 2 dimensions'):
        model.predict(x[:, :, None])
    with pytest.raises(ValueError, match='Expected to see 1 array'):
        model.fit([x, x], y, verbose=0)
    with pytest.raises(ValueError, match='10 input samples and 9 target samples'):
        model.fit(x, y[:9], verbose=0)
    with pytest.raises(ValueError, match='expected probability to have shape'):
        model.fit(x, np.ones((10, 2), 'float32'), verbose=0)
    categorical = binary_model(hidden=2, seed_name='_c')
    categorical.compile('sgd', 'categorical_crossentropy')
    with pytest.raises(ValueError, match='sparse_categorical_crossentropy'):
        categorical.fit(x, y, verbose=0)


def test_fixed_batch_size_input_is_checked():
    inputs = Input(batch_shape=(4, 2), name='fixed')
    model = Model(inputs, Dense(1)(inputs))
    model.compile('sgd', 'mse')
    with pytest.raises(ValueError, match='"fixed" was declared with batch size 4'):
        model.fit(np.zeros((6, 2), 'float32'), np.zeros((6, 1), 'float32'), batch_size=4,
                  verbose=0)


def test_functions_are_built_once_and_reused():
    x, y = blobs(20)
    model = binary_model()
    model.compile('sgd', 'binary_crossentropy')
    model.fit(x, y, epochs=1, verbose=0)
    train_function = model.train_function
    model.fit(x, y, epochs=1, verbose=0)
    model.train_on_batch(x, y)
    assert model.train_function is train_function
    model.evaluate(x, y, verbose=0)
    test_function = model.test_function
    model.test_on_batch(x, y)
    assert model.test_function is test_function


def test_batch_methods_and_steps():
    x, y = blobs(12)
    model = binary_model()
    model.compile('sgd', 'binary_crossentropy', metrics=['accuracy'])
    before = model.predict_on_batch(x)
    loss, accuracy = model.test_on_batch(x, y)
    assert loss == pytest.approx(per_sample_bce(y[:, None], before).mean(), rel=1e-5)
    assert model.test_on_batch(x, y, return_dict=True) == {'loss': loss, 'accuracy': accuracy}
    assert model.evaluate(x, y, verbose=0, return_dict=True)['loss'] == pytest.approx(loss)
    model.train_on_batch(x, y)
    after = model.predict_on_batch(x)
    assert not np.allclose(before, after)
    # steps_per_epoch with arrays feeds the whole arrays each step (Keras 2.2).
    history = model.fit(x, y, steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history['loss']) == 2
    assert model.predict(x, steps=2).shape == (24, 1)
    with pytest.raises(ValueError, match='validation_steps'):
        model.fit(x, y, steps_per_epoch=2, validation_data=(x, y), verbose=0)
    with pytest.raises(ValueError, match='without validation data'):
        model.fit(x, y, steps_per_epoch=2, validation_steps=2, verbose=0)
    history = model.fit(x, y, steps_per_epoch=2, validation_data=(x, y), validation_steps=2,
                        verbose=0)
    val_loss, val_accuracy = model.evaluate(x, y, verbose=0)
    assert history.history['val_loss'][0] == pytest.approx(val_loss, rel=1e-5)


def test_shuffle_batch_and_initial_epoch():
    x, y = blobs(50)
    model = binary_model()
    model.compile('sgd', 'binary_crossentropy')
    history = model.fit(x, y, epochs=4, initial_epoch=2, shuffle='batch', batch_size=8,
                        verbose=0)
    assert history.epoch == [2, 3]
    assert model.history is history


def test_stateful_metric_counts_the_whole_dataset():
    x = np.zeros((6, 4), 'float32')
    y = np.array([1, 1, 1, 0, 0, 0], 'float32')
    inputs = Input(shape=(4,))
    layer = Dense(1, activation='sigmoid', bias_initializer='ones')
    model = Model(inputs, layer(inputs))
    model.compile('sgd', 'binary_crossentropy', metrics=[metrics.Precision(name='precision')])
    assert model.stateful_metric_names == ['precision']
    # Every prediction is positive: precision is 3/6 overall, 3/4 and 0/2 per batch.
    _, precision = model.evaluate(x, y, batch_size=4, verbose=0)
    assert precision == pytest.approx(0.5)
    _, first_batch = model.test_on_batch(x[:4], y[:4])
    assert first_batch == pytest.approx(0.75)


def test_sequential_built_from_first_data_after_compile():
    x, y = blobs(40)
    model = Sequential()
    model.add(Dense(4, activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    model.compile('adam', 'binary_crossentropy', metrics=['accuracy'])
    history = model.fit(x, y, epochs=2, verbose=0)
    assert model.built and len(history.history['loss']) == 2
    assert model.predict(x).shape == (40, 1)


def test_subclassed_model_trains():
    class TwoLayer(Model):
        def __init__(self):
            super(TwoLayer, self).__init__()
            self.hidden = Dense(8, activation='relu')
            self.out = Dense(1, activation='sigmoid')

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    x, y = blobs(100)
    model = TwoLayer()
    model.compile(optimizers.Adam(lr=0.05), 'binary_crossentropy', metrics=['accuracy'])
    model.fit(x, y, epochs=5, batch_size=20, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] > 0.9


def test_learning_phase_reaches_dropout_in_fit_only():
    x = np.ones((64, 4), 'float32')
    inputs = Input(shape=(4,))
    model = Model(inputs, Dropout(0.5)(inputs))
    model.compile('sgd', 'mse')
    np.testing.assert_allclose(model.predict(x), x)
    assert model.evaluate(x, x, verbose=0) == pytest.approx(0.0)
    # Training mode zeroes about half the entries and doubles the rest.
    assert model.train_on_batch(x, x) > 0.5


def test_sparse_labels_with_loss_function_or_object_and_accuracy():
    rng = np.random.RandomState(0)
    labels = rng.randint(0, 3, size=120)
    x = (np.eye(3, 5)[labels] * 3 + rng.randn(120, 5) * 0.3).astype('float32')
    for loss, activation in [('sparse_categorical_crossentropy', 'softmax'),
                             (losses.SparseCategoricalCrossentropy(from_logits=True), None)]:
        inputs = Input(shape=(5,))
        model = Model(inputs, Dense(3, activation=activation)(inputs))
        model.compile(optimizers.SGD(lr=0.2), loss, metrics=['accuracy'])
        model.fit(x, labels, epochs=4, batch_size=16, verbose=0)
        _, accuracy = model.evaluate(x, labels, verbose=0)
        predicted = np.argmax(model.predict(x), axis=-1)
        assert accuracy == pytest.approx(np.mean(predicted == labels))
        assert accuracy > 0.95


def test_custom_loss_may_take_targets_of_another_shape():
    def distance_to_pair(y_true, y_pred):
        # y_true holds (low, high) per sample; y_pred one value.
        return K.square(y_pred[:, 0] - 0.5 * (y_true[:, 0] + y_true[:, 1]))

    inputs = Input(shape=(2,))
    model = Model(inputs, Dense(1)(inputs))
    model.compile('sgd', distance_to_pair)
    x = np.ones((4, 2), 'float32')
    targets = np.array([[0, 2], [1, 3], [0, 0], [2, 2]], 'float32')
    expected = np.mean((model.predict(x)[:, 0] - targets.mean(axis=1)) ** 2)
    assert model.evaluate(x, targets, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_masked_timesteps_do_not_count_in_the_loss():
    from graphkeras.layers import Masking
    rng = np.random.RandomState(0)
    x = rng.randn(4, 3, 2).astype('float32')
    x[:, 2, :] = 0.0  # the last timestep of every sequence is padding
    x[0, 1, :] = 0.0
    y = rng.randn(4, 3, 1).astype('float32')
    inputs = Input(shape=(3, 2))
    model = Model(inputs, Dense(1)(Masking(0.0)(inputs)))
    model.compile('sgd', 'mse')
    squared = ((model.predict(x) - y) ** 2)[..., 0]
    kept = np.any(x != 0, axis=-1)
    # Keras 2.2: the masked mean is the mean over the unmasked timesteps.
    expected = squared[kept].mean()
    assert model.evaluate(x, y, batch_size=4, verbose=0) == pytest.approx(expected, rel=1e-5)
