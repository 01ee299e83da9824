"""`model.summary()` prints Keras 2.2's table, character for character."""
import pytest

from graphkeras.layers import Concatenate, Dense, Dropout
from graphkeras.models import Input, Model, Sequential

# Keras 2.2's summary of examples/mnist_mlp.py (as printed in its documentation).
MNIST_MLP_SUMMARY = """\
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
dense_1 (Dense)              (None, 512)               401920    
_________________________________________________________________
dropout_1 (Dropout)          (None, 512)               0         
_________________________________________________________________
dense_2 (Dense)              (None, 512)               262656    
_________________________________________________________________
dropout_2 (Dropout)          (None, 512)               0         
_________________________________________________________________
dense_3 (Dense)              (None, 10)                5130      
=================================================================
Total params: 669,706
Trainable params: 669,706
Non-trainable params: 0
_________________________________________________________________
"""

# A shared layer and a merge: the "Connected to" column lists one inbound tensor per line.
SHARED_LAYERS_SUMMARY = """\
__________________________________________________________________________________________________
Layer (type)                    Output Shape         Param #     Connected to                     
==================================================================================================
left (InputLayer)               (None, 6)            0                                            
__________________________________________________________________________________________________
right (InputLayer)              (None, 6)            0                                            
__________________________________________________________________________________________________
shared_dense (Dense)            (None, 5)            35          left[0][0]                       
                                                                 right[0][0]                      
__________________________________________________________________________________________________
concatenate_1 (Concatenate)     (None, 10)           0           shared_dense[0][0]               
                                                                 shared_dense[1][0]               
__________________________________________________________________________________________________
dense_1 (Dense)                 (None, 1)            11          concatenate_1[0][0]              
==================================================================================================
Total params: 46
Trainable params: 46
Non-trainable params: 0
__________________________________________________________________________________________________
"""


def summary_text(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines) + "\n"


def mnist_mlp():
    return Sequential([Dense(512, activation="relu", input_shape=(784,)), Dropout(0.2),
                       Dense(512, activation="relu"), Dropout(0.2),
                       Dense(10, activation="softmax")])


def test_sequential_summary_matches_keras_2_2():
    assert summary_text(mnist_mlp()) == MNIST_MLP_SUMMARY


def test_functional_summary_with_shared_layer_matches_keras_2_2():
    left = Input(shape=(6,), name="left")
    right = Input(shape=(6,), name="right")
    shared = Dense(5, activation="tanh", name="shared_dense")
    merged = Concatenate()([shared(left), shared(right)])
    model = Model([left, right], Dense(1, activation="sigmoid")(merged))
    assert summary_text(model) == SHARED_LAYERS_SUMMARY


def test_chain_functional_model_prints_without_connections():
    x = Input(shape=(3,), name="x")
    model = Model(x, Dense(2)(x))
    lines = summary_text(model).splitlines()
    assert len(lines[0]) == 65
    assert lines[1].rstrip() == "Layer (type)                 Output Shape              Param #"
    assert lines[3].rstrip() == "x (InputLayer)               (None, 3)                 0"


def test_non_trainable_params_and_thousands_separators():
    model = Sequential([Dense(100, input_dim=59), Dense(10)])
    model.layers[0].trainable = False
    tail = summary_text(model).splitlines()[-4:-1]
    assert tail == ["Total params: 7,010", "Trainable params: 1,010",
                    "Non-trainable params: 6,000"]


def test_line_length_and_positions_are_honoured():
    lines = summary_text(mnist_mlp(), line_length=40, positions=[20, 30, 40]).splitlines()
    assert lines[0] == "_" * 40
    # Each field is cut to its column, whose last character is a space.
    assert lines[3] == "dense_1 (Dense)     (None, 51 401920    "
    relative = summary_text(mnist_mlp(), line_length=80, positions=[.5, .75, 1.]).splitlines()
    assert relative[1].index("Output Shape") == 40 and relative[1].index("Param #") == 60


def test_nested_model_row_counts_all_its_params():
    inner = Sequential([Dense(4, input_dim=3), Dense(2)], name="inner")
    outer = Sequential([inner, Dense(1)])
    lines = summary_text(outer).splitlines()
    assert lines[3].split() == ["inner", "(Sequential)", "(None,", "2)", "26"]
    assert "Total params: 29" in lines


def test_layer_called_in_two_models_lists_only_this_models_connections():
    shared = Dense(2, name="shared")
    a = Input(shape=(3,), name="a")
    b = Input(shape=(3,), name="b")
    shared(a)
    merged = Concatenate(name="cat")([shared(b), b])
    text = summary_text(Model(b, merged))
    assert "a[0][0]" not in text and "b[0][0]" in text


def test_summary_of_unbuilt_model_raises():
    with pytest.raises(ValueError, match="This model has not yet been built"):
        Sequential([Dense(2)]).summary()
